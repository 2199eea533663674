"""Heat 27: the API (WSGI only, under the runner) and one engine, behind Keystone.

Deferred operations use Keystone trusts with the ``heat`` service user as trustee.
No stack user domain is set up (servers with software deployments would need one);
``OS::Nova::Server`` without user data works without it.
"""

from __future__ import annotations

import secrets

from ironic_tripleo.lab.undercloud import databases
from ironic_tripleo.lab.undercloud.plan import Plan
from ironic_tripleo.lab.undercloud.service import (
    Proc,
    http_ready,
    program,
    run_step,
    wsgi,
)


def prepare(plan: Plan) -> None:
    """Write heat.conf and create the schema."""
    etc = plan.etc("heat")
    conf = etc / "heat.conf"
    (etc / "api-paste.ini").write_text(
        (plan.venv / "etc" / "heat" / "api-paste.ini").read_text())
    conf.write_text(f"""[DEFAULT]
log_file = {plan.logdir / 'heat.log'}
use_stderr = false
transport_url = {plan.transport_url}
auth_encryption_key = {secrets.token_hex(16)}
num_engine_workers = 1
# a resource that failed (a server in ERROR: "No valid host") fails its stack at once,
# instead of after 5 retries with back-off (minutes on this machine)
action_retry_limit = 0
region_name_for_services = RegionOne
heat_metadata_server_url = {plan.url('heat')}
[database]
connection = {plan.db_url('heat')}
[paste_deploy]
api_paste_config = {etc / 'api-paste.ini'}
[oslo_messaging_notifications]
driver = noop
[clients_keystone]
auth_uri = {plan.url('keystone')}
{plan.authtoken('heat')}
[trustee]
auth_type = password
auth_url = {plan.auth_url}
username = heat
password = {plan.passwords['heat']}
user_domain_name = Default
""")
    databases.synced(plan, ("heat",), lambda: run_step(
        [plan.bin("heat-manage"), "--config-file", str(conf), "db_sync"],
        "heat-manage db_sync"))


def processes(plan: Plan) -> list[Proc]:
    conf = str(plan.etc("heat") / "heat.conf")
    return [wsgi(plan.venv, "heat-api", "heat.wsgi.api:application", plan.ports["heat"],
                 str(plan.root), args=f"--config-file {conf}",
                 ready=http_ready(plan.url("heat")), logs=("heat.log",)),
            program(plan.venv, "heat-engine", "heat-engine", ["--config-file", conf],
                    logs=("heat.log",))]
