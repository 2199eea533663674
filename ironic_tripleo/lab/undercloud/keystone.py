"""Keystone: SQLite (or PostgreSQL), fernet tokens, bootstrap, and what the other
services need from it: a ``service`` project, one user per service with the
``admin`` and ``service`` roles there (``ironic`` also the system ``admin`` role), and
a catalog entry (public, internal, admin) for every service, Ironic's ``baremetal``
and discoverd's ``baremetal-introspection`` included when there is a lab under the
undercloud (``set_lab_endpoints`` puts them in or takes them out for a lab that
comes or goes later).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import openstack
from cryptography.fernet import Fernet

from ironic_tripleo.lab.undercloud import databases
from ironic_tripleo.lab.undercloud.plan import REGION, SERVICE_PROJECT, Plan
from ironic_tripleo.lab.undercloud.service import Proc, http_ready, run_step, wsgi

LOG = logging.getLogger(__name__)


def prepare(plan: Plan) -> None:
    """Write keystone.conf, create the schema and the Fernet keys, bootstrap the
    admin."""
    etc = plan.etc("keystone")
    conf = etc / "keystone.conf"
    conf.write_text(f"""[DEFAULT]
log_file = {plan.logdir / 'keystone.log'}
use_stderr = false
[database]
connection = {plan.db_url('keystone')}
[identity]
# bcrypt's default cost made each service login ~1 s on this shared 2-core machine
password_hash_rounds = 4
[token]
provider = fernet
[fernet_tokens]
key_repository = {etc / 'fernet-keys'}
[fernet_receipts]
key_repository = {etc / 'fernet-keys'}
[credential]
key_repository = {etc / 'credential-keys'}
""")
    manage = [plan.bin("keystone-manage"), "--config-file", str(conf)]
    plan.logdir.mkdir(parents=True, exist_ok=True)
    databases.synced(plan, ("keystone",),
                     lambda: run_step([*manage, "db_sync"], "keystone-manage db_sync"))
    for keys in ("fernet-keys", "credential-keys"):
        write_keys(etc / keys)
    url = plan.auth_url
    run_step([*manage, "bootstrap", "--bootstrap-password", plan.passwords["admin"],
              "--bootstrap-admin-url", url, "--bootstrap-internal-url", url,
              "--bootstrap-public-url", url, "--bootstrap-region-id", REGION],
             "keystone-manage bootstrap")


def write_keys(directory: Path) -> None:
    """A new Fernet key repository as ``keystone-manage fernet_setup`` (and
    ``credential_setup``) leaves it: a staged key ``0`` and a primary key ``1``, owner
    only; written here, as two ``keystone-manage`` starts cost seconds each."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for index in ("0", "1"):
        path = directory / index
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as key_file:
            key_file.write(Fernet.generate_key())


def processes(plan: Plan) -> list[Proc]:
    return [wsgi(plan.venv, "keystone", "keystone.wsgi.api:application",
                 plan.ports["keystone"], str(plan.root),
                 env={"OS_KEYSTONE_CONFIG_DIR": str(plan.etc("keystone"))},
                 ready=http_ready(f"{plan.auth_url}"), logs=("keystone.log",))]


def admin_connection(plan: Plan) -> openstack.connection.Connection:
    """An openstacksdk connection as the undercloud's admin."""
    return openstack.connect(auth_url=plan.auth_url, username="admin",
                             password=plan.passwords["admin"], project_name="admin",
                             user_domain_name="Default", project_domain_name="Default",
                             region_name=REGION, api_timeout=60)


def register(plan: Plan) -> None:
    """Service project, users and roles; a catalog entry for every service."""
    conn = admin_connection(plan)
    ident = conn.identity
    project = ident.find_project(SERVICE_PROJECT) or ident.create_project(
        name=SERVICE_PROJECT, domain_id="default")
    roles = {name: ident.find_role(name) or ident.create_role(name=name)
             for name in ("admin", "service")}
    endpoints = plan.endpoints()
    for user_name in [*endpoints, "ironic", "discoverd"]:
        if user_name == "keystone":
            continue
        user = ident.find_user(user_name, domain_id="default") or ident.create_user(
            name=user_name, password=plan.passwords[user_name], domain_id="default",
            default_project_id=project.id)
        for role in roles.values():
            ident.assign_project_role_to_user(project, user, role)
        if user_name == "ironic":
            # Ironic's drivers and conductors APIs take system-scoped tokens only
            # (oslo.policy 6 enforces scope): the lab's readiness probes use one
            ident.assign_system_role_to_user(user, roles["admin"], "all")
    for name, (kind, url) in endpoints.items():
        if name == "keystone":
            continue  # bootstrap made it
        service = ident.create_service(name=name, type=kind, description=f"undercloud {name}")
        for interface in ("public", "internal", "admin"):
            ident.create_endpoint(service_id=service.id, interface=interface, url=url,
                                  region_id=REGION)
    LOG.info("keystone: %s services in the catalog", len(endpoints))


#: the catalog entries of a lab's services: plan.lab key, service name, type
LAB_SERVICES = (("ironic_url", "ironic", "baremetal"),
                ("discoverd_url", "discoverd", "baremetal-introspection"))


def set_lab_endpoints(plan: Plan) -> None:
    """Make the catalog's ``baremetal`` and ``baremetal-introspection`` entries point
    at ``plan.lab``'s Ironic and discoverd (none when ``plan.lab`` is None)."""
    ident = admin_connection(plan).identity
    for key, name, kind in LAB_SERVICES:
        for old in ident.services(type=kind):
            for endpoint in ident.endpoints(service_id=old.id):
                ident.delete_endpoint(endpoint)
            ident.delete_service(old)
        url = (plan.lab or {}).get(key)
        if url:
            service = ident.create_service(name=name, type=kind,
                                           description=f"undercloud {name}")
            for interface in ("public", "internal", "admin"):
                ident.create_endpoint(service_id=service.id, interface=interface,
                                      url=url, region_id=REGION)
