"""Placement: resource providers and allocations for Nova, behind Keystone."""

from __future__ import annotations

from ironic_tripleo.lab.undercloud import databases
from ironic_tripleo.lab.undercloud.plan import Plan
from ironic_tripleo.lab.undercloud.service import Proc, http_ready, run_step, wsgi


def prepare(plan: Plan) -> None:
    """Write placement.conf and create the schema."""
    conf = plan.etc("placement") / "placement.conf"
    conf.write_text(f"""[DEFAULT]
log_file = {plan.logdir / 'placement.log'}
use_stderr = false
[api]
auth_strategy = keystone
[placement_database]
connection = {plan.db_url('placement')}
{plan.authtoken('placement')}""")
    databases.synced(plan, ("placement",), lambda: run_step(
        [plan.bin("placement-manage"), "--config-file", str(conf), "db", "sync"],
        "placement-manage db sync"))


def processes(plan: Plan) -> list[Proc]:
    return [wsgi(plan.venv, "placement", "placement.wsgi.api:application",
                 plan.ports["placement"], str(plan.root),
                 env={"OS_PLACEMENT_CONFIG_DIR": str(plan.etc("placement"))},
                 ready=http_ready(plan.url("placement")), logs=("placement.log",))]
