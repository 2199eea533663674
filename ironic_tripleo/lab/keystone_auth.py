"""The lab's Ironic and discoverd behind an undercloud's Keystone.

A lab brought up with (or switched to) a *Keystone record* runs Ironic and discoverd
with ``auth_strategy = keystone``: each validates tokens with keystonemiddleware as
its own service user (``ironic``, ``discoverd``). The conductor reaches discoverd
(``[tripleo_discoverd]``) and Glance (``[glance]``) with password auth as ``ironic``;
discoverd reaches Ironic as ``discoverd`` through a ``clouds.yaml`` of its own (its
``[ironic] cloud``). The ramdisk's calls (Ironic's lookup and heartbeat, discoverd's
``/v1/continue``) stay public, as upstream.

The record is a plain dict kept in ``lab.json`` under ``keystone`` (the file is
owner-only; it already holds the BMC passwords)::

    {"auth_url": ..., "region": ..., "project": "service",
     "users": {"ironic": PASSWORD, "discoverd": PASSWORD},
     "admin": {"username": ..., "password": ..., "project_name": ...},
     "glance_url": URL or None, "clouds_yaml": PATH, "cloud": NAME,
     "system_cloud": NAME}

``admin`` is what the lab's own clients (``connection``) log in as; ``clouds_yaml``,
``cloud`` and ``system_cloud`` (a system-scoped token, for Ironic's drivers API) are
the undercloud's, whose catalog names the lab's services.
The undercloud side writes the record (``lab.undercloud.lab_ironic``); nothing here
imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openstack
import openstack.connection
import yaml
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from baremetal_common.cloud import connect

#: discoverd's cloud in its own clouds.yaml (``[ironic] cloud``)
DISCOVERD_CLOUD = "lab-ironic"
DOMAIN = "Default"
#: seconds for one request to Keystone or a lab service: a hung peer fails the call
API_TIMEOUT = 60


def _password_auth(record: dict[str, Any], user: str) -> dict[str, str]:
    """keystoneauth password options for service user ``user``."""
    return {"auth_url": record["auth_url"], "username": user,
            "password": record["users"][user], "project_name": record["project"],
            "user_domain_name": DOMAIN, "project_domain_name": DOMAIN}


def ironic_sections(record: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The ``ironic.conf`` sections that put Ironic behind Keystone: its API checks
    tokens, its conductor logs in to discoverd and Glance as ``ironic``."""
    auth = _password_auth(record, "ironic")
    sections = {
        "DEFAULT": {"auth_strategy": "keystone"},
        "keystone_authtoken": {"www_authenticate_uri": record["auth_url"],
                               "auth_type": "password", "region_name": record["region"],
                               **auth},
        "tripleo_discoverd": {"auth_type": "password", **auth},
        # Ironic 39's new defaults show a project-scoped admin (the undercloud's
        # clouds.yaml) only its own project's nodes; the legacy rules, OR'ed in,
        # give the admin role every node, as TripleO's undercloud did. (Scope is
        # enforced regardless: drivers and conductors need a system-scoped token.)
        "oslo_policy": {"enforce_new_defaults": "false"},
    }
    if record.get("glance_url"):
        sections["glance"] = {"auth_type": "password", "region_name": record["region"],
                              "endpoint_override": record["glance_url"], **auth}
    return sections


def discoverd_lines(record: dict[str, Any]) -> list[str]:
    """discoverd's config lines for Keystone: token checks as ``discoverd``, and the
    cloud it reaches Ironic by (``write_discoverd_clouds``'s file, which discoverd
    finds through ``OS_CLIENT_CONFIG_FILE``)."""
    auth = _password_auth(record, "discoverd")
    return ["[DEFAULT]", "auth_strategy = keystone", "",
            "[keystone_authtoken]", f"www_authenticate_uri = {record['auth_url']}",
            "auth_type = password", f"region_name = {record['region']}",
            *(f"{key} = {value}" for key, value in auth.items()), "",
            "[ironic]", f"cloud = {DISCOVERD_CLOUD}", ""]


def write_discoverd_clouds(record: dict[str, Any], path: Path, ironic_url: str) -> Path:
    """Write discoverd's ``clouds.yaml``: the ``discoverd`` user, the lab's Ironic."""
    doc = {"clouds": {DISCOVERD_CLOUD: {
        "auth": _password_auth(record, "discoverd"), "region_name": record["region"],
        "identity_api_version": 3, "baremetal_endpoint_override": ironic_url}}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    path.chmod(0o600)
    return path


def service_token(sections: dict[str, dict[str, str]]) -> dict[str, str]:
    """``X-Auth-Token`` (system-scoped) of the ``[keystone_authtoken]`` user of an
    ``ironic.conf``'s ``sections`` (for readiness probes: the undercloud gives its
    ``ironic`` user the system ``admin`` role), or no header for a ``noauth`` Ironic."""
    if sections.get("DEFAULT", {}).get("auth_strategy") != "keystone":
        return {}
    options = sections["keystone_authtoken"]
    # system scope: GET /v1/drivers and /v1/conductors accept no other
    auth = v3.Password(system_scope="all", **{key: options[key] for key in (
        "auth_url", "username", "password", "user_domain_name")})
    return {"X-Auth-Token": ks_session.Session(auth=auth, timeout=API_TIMEOUT).get_token()}


def connection(state: dict[str, Any]) -> openstack.connection.Connection:
    """An openstacksdk connection to a lab's Ironic and discoverd as lab.json
    describes it: noauth, or as the record's admin with both endpoints fixed (a
    system-scoped token: Ironic's drivers API, which enrollment reads, takes no
    other)."""
    record = state.get("keystone")
    if not record:
        return connect(state["ironic_url"])
    admin = record["admin"]
    return openstack.connect(
        auth_url=record["auth_url"], username=admin["username"],
        password=admin["password"], system_scope="all", user_domain_name=DOMAIN,
        region_name=record["region"], api_timeout=API_TIMEOUT,
        baremetal_endpoint_override=state["ironic_url"],
        baremetal_introspection_endpoint_override=state["discoverd_url"])
