"""Glance: images for Nova and Ironic; SQLite, the file store, behind Keystone."""

from __future__ import annotations

from ironic_tripleo.lab.undercloud import databases
from ironic_tripleo.lab.undercloud.plan import Plan
from ironic_tripleo.lab.undercloud.service import Proc, http_ready, run_step, wsgi


def prepare(plan: Plan) -> None:
    """Write glance-api.conf and create the schema."""
    etc = plan.etc("glance")
    data = plan.datadir / "glance"
    for sub in ("images", "staging", "tasks", "locks", "cache"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    conf = etc / "glance-api.conf"
    conf.write_text(f"""[DEFAULT]
log_file = {plan.logdir / 'glance-api.log'}
use_stderr = false
enabled_backends = local:file
image_cache_dir = {data / 'cache'}
[database]
connection = {plan.db_url('glance')}
[glance_store]
default_backend = local
[local]
filesystem_store_datadir = {data / 'images'}
[os_glance_staging_store]
filesystem_store_datadir = {data / 'staging'}
[os_glance_tasks_store]
filesystem_store_datadir = {data / 'tasks'}
[paste_deploy]
flavor = keystone
config_file = {plan.venv / 'etc' / 'glance' / 'glance-api-paste.ini'}
[oslo_concurrency]
lock_path = {data / 'locks'}
{plan.authtoken('glance')}""")
    databases.synced(plan, ("glance",), lambda: run_step(
        [plan.bin("glance-manage"), "--config-file", str(conf), "db_sync"],
        "glance-manage db_sync"))


def processes(plan: Plan) -> list[Proc]:
    return [wsgi(plan.venv, "glance", "glance.wsgi.api:application", plan.ports["glance"],
                 str(plan.root), env={"OS_GLANCE_CONFIG_DIR": str(plan.etc("glance"))},
                 ready=http_ready(plan.url("glance")), logs=("glance-api.log",))]
