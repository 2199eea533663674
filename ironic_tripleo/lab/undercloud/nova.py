"""Nova 34: the API (WSGI only, under the runner), conductor, scheduler, and computes.

The control plane shares ``etc/nova/nova.conf`` (API database, cell0 and cell1 on
SQLite, one worker each). Each nova-compute has its own directory and config file,
without database access ("No DB access allowed in nova-compute") and with its own
``state_path`` (the compute node identity file lives there): one with
``ironic.IronicDriver`` for the lab's nodes, and any number with the fake driver
(``fake.SmallFakeDriver``, its node named after its host). The scheduler maps new
compute hosts to cell1 every few seconds.
"""

from __future__ import annotations

import contextlib
import sqlite3

from ironic_tripleo.lab.undercloud import databases
from ironic_tripleo.lab.undercloud.plan import Plan
from ironic_tripleo.lab.undercloud.service import (
    Proc,
    http_ready,
    program,
    run_step,
    wsgi,
)

FAKE_DRIVER = "fake.SmallFakeDriver"
IRONIC_DRIVER = "ironic.IronicDriver"
IRONIC_HOST = "undercloud-ironic"
#: seconds between the scheduler's searches for unmapped compute hosts
DISCOVER_INTERVAL = 2


def _common(plan: Plan, state_path: str, log: str, default: str = "") -> str:
    return f"""[DEFAULT]
{default}log_file = {plan.logdir / log}
debug = {plan.debug}
use_stderr = false
transport_url = {plan.transport_url}
state_path = {state_path}
my_ip = 127.0.0.1
periodic_fuzzy_delay = 0
[oslo_concurrency]
lock_path = {state_path}/locks
{plan.service_auth('placement', 'nova')}
{plan.service_auth('neutron', 'nova')}
{plan.service_auth('glance', 'nova')}
[oslo_messaging_notifications]
driver = noop
"""


def prepare(plan: Plan) -> None:
    """Write the control plane's nova.conf; create the API, cell0 and cell1 databases."""
    etc = plan.etc("nova")
    state = plan.datadir / "nova"
    state.mkdir(parents=True, exist_ok=True)
    conf = etc / "nova.conf"
    conf.write_text(_common(plan, str(state), "nova.log") + f"""
[api_database]
connection = {plan.db_url('nova_api')}
[database]
connection = {plan.db_url('nova')}
[scheduler]
discover_hosts_in_cells_interval = {DISCOVER_INTERVAL}
workers = 1
[conductor]
workers = 1
[wsgi]
api_paste_config = {plan.venv / 'etc' / 'nova' / 'api-paste.ini'}
{plan.authtoken('nova')}""")
    manage = [plan.bin("nova-manage"), "--config-file", str(conf)]

    def sync() -> None:
        run_step([*manage, "api_db", "sync"], "nova-manage api_db sync")
        run_step([*manage, "cell_v2", "map_cell0", "--database_connection",
                  plan.db_url("nova_cell0")], "nova-manage cell_v2 map_cell0")
        run_step([*manage, "cell_v2", "create_cell", "--name", "cell1", "--verbose"],
                 "nova-manage cell_v2 create_cell")
        run_step([*manage, "db", "sync"], "nova-manage db sync")

    if databases.synced(plan, ("nova_api", "nova", "nova_cell0"), sync):
        _point_cells(plan)


def _point_cells(plan: Plan) -> None:
    """Copied databases: the cell mappings get this plan's database and RabbitMQ URLs
    (``cell_v2 update_cell`` would do the same at the cost of a nova-manage start)."""
    with contextlib.closing(sqlite3.connect(plan.datadir / "nova_api.sqlite")) as db:
        with db:
            db.execute("UPDATE cell_mappings SET database_connection = ? "
                       "WHERE name = 'cell0'", (plan.db_url("nova_cell0"),))
            db.execute("UPDATE cell_mappings SET database_connection = ?, "
                       "transport_url = ? WHERE name = 'cell1'",
                       (plan.db_url("nova"), plan.transport_url))


def processes(plan: Plan) -> list[Proc]:
    """The API, then conductor and scheduler."""
    etc = plan.etc("nova")
    conf = str(etc / "nova.conf")
    api = wsgi(plan.venv, "nova-api", "nova.wsgi.osapi_compute:application",
               plan.ports["nova"], str(plan.root),
               env={"OS_NOVA_CONFIG_DIR": str(etc),
                    "OS_NOVA_CONFIG_FILES": "api-paste.ini;nova.conf"},
               ready=http_ready(plan.url("nova")), logs=("nova.log",))
    # the paste file is looked up in the config dir
    paste = etc / "api-paste.ini"
    if not paste.exists():
        paste.write_text((plan.venv / "etc" / "nova" / "api-paste.ini").read_text())
    return [api, *(program(plan.venv, name, name, ["--config-file", conf],
                           logs=("nova.log",))
                   for name in ("nova-conductor", "nova-scheduler"))]


def compute_name(host: str) -> str:
    """The undercloud's name for the nova-compute process of ``host``."""
    return f"nova-compute-{host}"


def compute(plan: Plan, host: str, driver: str, ironic_url: str | None = None) -> Proc:
    """A nova-compute named ``host`` with ``driver`` (its own config and state).

    :param ironic_url: the Ironic the ``ironic.IronicDriver`` drives (default: the
        plan's lab's).
    """
    name = compute_name(host)
    etc = plan.etc(name)
    state = plan.datadir / name
    state.mkdir(parents=True, exist_ok=True)
    text = _common(plan, str(state), f"{name}.log",
                   f"host = {host}\ncompute_driver = {driver}\n"
                   f"instances_path = {state / 'instances'}\n")
    if driver == IRONIC_DRIVER:
        ironic_url = ironic_url or (plan.lab or {}).get("ironic_url")
        assert ironic_url is not None, "no Ironic for the Ironic driver"
        # A lab under the undercloud checks the token (keystone_auth); a noauth
        # Ironic (driven with ironic_url) ignores it.
        text += plan.service_auth("ironic", "nova").replace(
            "valid_interfaces = public\n", f"endpoint_override = {ironic_url}\n")
    (etc / "nova.conf").write_text(text)
    return Proc(name, [plan.bin("nova-compute"), "--config-file", str(etc / "nova.conf")],
                logs=(f"{name}.log",))
