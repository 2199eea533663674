"""Neutron: the real API server (``neutron.wsgi.api``), ML2 with the lab's
bind-everything mechanism driver and no agents.

Neutron's migrations run neither on SQLite (they ALTER constraints) nor on
PostgreSQL (Neutron 29 has a MySQL-only ``ALTER TABLE tags CONVERT TO CHARACTER SET
utf8mb4``): the schema is created from Neutron's models, as Neutron's own tests do,
and stamped at the migration heads (on SQLite copied from the cache after the first
time, ``databases.synced``).

Networks, subnets and ports are real database objects that Nova can list and
create. No agent runs: ``ml2_bind_all`` (loaded through our entry point, so the
server gets the project on ``PYTHONPATH``) binds every port Nova binds, on any host,
so servers with a NIC build; nothing wires the ports (no packet moves). Nova also
asks Neutron about networks and ports on start, stop and delete of servers without
one (``networks='none'``), which this answers.
"""

from __future__ import annotations

from pathlib import Path

from ironic_tripleo.lab.undercloud import databases
from ironic_tripleo.lab.undercloud.plan import Plan
from ironic_tripleo.lab.undercloud.service import Proc, http_ready, run_step, wsgi

FILES = "neutron.conf;ml2_conf.ini"
ROOT = Path(__file__).resolve().parents[3]
#: ``ml2_bind_all``'s entry point name (setup.cfg, ``neutron.ml2.mechanism_drivers``)
MECHANISM_DRIVER = "tripleo_lab_bind_all"
#: run by the undercloud venv's python: the whole schema from the models
CREATE_SCHEMA = """
import sys
import sqlalchemy
from neutron.db.migration.models import head
engine = sqlalchemy.create_engine(sys.argv[1])
head.get_metadata().create_all(engine)
"""


def prepare(plan: Plan) -> None:
    """Write neutron.conf and ml2_conf.ini and migrate the schema."""
    etc = plan.etc("neutron")
    state = plan.datadir / "neutron"
    state.mkdir(parents=True, exist_ok=True)
    (etc / "neutron.conf").write_text(f"""[DEFAULT]
log_file = {plan.logdir / 'neutron.log'}
use_stderr = false
core_plugin = ml2
service_plugins =
auth_strategy = keystone
transport_url = {plan.transport_url}
state_path = {state}
api_paste_config = {plan.venv / 'etc' / 'neutron' / 'api-paste.ini'}
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
api_workers = 1
rpc_workers = 0
[database]
connection = {plan.db_url('neutron')}
[oslo_concurrency]
lock_path = {state / 'locks'}
{plan.authtoken('neutron')}""")
    (etc / "ml2_conf.ini").write_text(f"""[ml2]
type_drivers = flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers = {MECHANISM_DRIVER}
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
[ml2_type_vxlan]
vni_ranges = 1:1000
""")
    manage = [plan.bin("neutron-db-manage"), "--config-file", str(etc / "neutron.conf"),
              "--config-file", str(etc / "ml2_conf.ini")]

    def sync() -> None:
        run_step([plan.bin("python"), "-c", CREATE_SCHEMA, plan.db_url("neutron")],
                 "creating Neutron's schema from its models")
        run_step([*manage, "stamp", "heads"], "neutron-db-manage stamp heads")

    databases.synced(plan, ("neutron",), sync)


def processes(plan: Plan) -> list[Proc]:
    return [wsgi(plan.venv, "neutron", "neutron.wsgi.api:application",
                 plan.ports["neutron"], str(plan.root),
                 env={"OS_NEUTRON_CONFIG_DIR": str(plan.etc("neutron")),
                      "OS_NEUTRON_CONFIG_FILES": FILES,
                      # the mechanism driver's module (its entry point is .venv's)
                      "PYTHONPATH": str(ROOT)},
                 ready=http_ready(plan.url("neutron")), logs=("neutron.log",))]
