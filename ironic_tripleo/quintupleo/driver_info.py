"""A node's Nova ``driver_info``: which server, on which cloud (plain functions).

- ``nova_server`` (required): the server's name or ID;
- the cloud, either ``nova_cloud`` (an entry of clouds.yaml) or explicit password
  auth: ``nova_auth_url``, ``nova_username``, ``nova_password``,
  ``nova_project_name`` and optional domain fields (default ``Default``);
- ``nova_region_name`` (optional).

Ironic masks driver_info keys containing ``password`` in its API; the parsed
password never appears in ``repr``, messages or logs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from ironic_tripleo.field_problems import raise_problems
from ironic_tripleo.quintupleo.clouds import CloudSpec, spec_from_fields
from ironic_tripleo.quintupleo.exception import InvalidNovaInfo

REQUIRED_PROPERTIES = {
    "nova_server": "Name or ID of the Nova server that stands in for this node. Required.",
}
OPTIONAL_PROPERTIES = {
    "nova_cloud": "Name of the cloud in clouds.yaml (see [tripleo_nova]clouds_file). "
                  "Give this, or nova_auth_url with explicit credentials.",
    "nova_auth_url": "Keystone URL, for explicit credentials instead of nova_cloud.",
    "nova_username": "User name. Required with nova_auth_url.",
    "nova_password": "Password. Required with nova_auth_url.",
    "nova_project_name": "Project name. Required with nova_auth_url.",
    "nova_user_domain_name": "User's domain name. Optional, default Default.",
    "nova_project_domain_name": "Project's domain name. Optional, default Default.",
    "nova_region_name": "Region name. Optional.",
}
COMMON_PROPERTIES = {**REQUIRED_PROPERTIES, **OPTIONAL_PROPERTIES}
_NEEDED_WITH_AUTH_URL = ("nova_username", "nova_password", "nova_project_name")
_URL_RE = re.compile(r"^https?://[^\s/]+(/\S*)?$", re.I)


@dataclasses.dataclass(frozen=True)
class NovaTarget:
    """A node's server and cloud."""

    server: str
    cloud: CloudSpec


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def find_problems(info: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Check ``info``: (missing field names, descriptions of malformed fields).

    Both are empty when the driver_info is usable; secrets never appear.
    """
    missing: list[str] = []
    bad: list[str] = []
    server = info.get("nova_server")
    if server in (None, ""):
        missing.append("nova_server")
    elif not _text(server):
        bad.append(f"nova_server {server!r} is not a server name or ID")
    cloud, auth_url = info.get("nova_cloud"), info.get("nova_auth_url")
    if cloud in (None, "") and auth_url in (None, ""):
        missing.append("nova_cloud (or nova_auth_url with nova_username, nova_password "
                       "and nova_project_name)")
    elif cloud not in (None, "") and auth_url not in (None, ""):
        bad.append("nova_cloud and nova_auth_url are both given: give one")
    elif cloud not in (None, ""):
        if not _text(cloud):
            bad.append(f"nova_cloud {cloud!r} is not a clouds.yaml entry name")
    else:
        if not (isinstance(auth_url, str) and _URL_RE.match(auth_url.strip())):
            bad.append(f"nova_auth_url {auth_url!r} is not an http(s) URL")
        for field in _NEEDED_WITH_AUTH_URL:
            value = info.get(field)
            if value in (None, ""):
                missing.append(field)
            elif not isinstance(value, str):
                shown = "it" if field == "nova_password" else repr(value)
                bad.append(f"{field} {shown} is not a string")
    for field in ("nova_user_domain_name", "nova_project_domain_name", "nova_region_name"):
        value = info.get(field)
        if value not in (None, "") and not _text(value):
            bad.append(f"{field} {value!r} is not a name")
    return missing, bad


def parse(info: Mapping[str, Any], node: str = "?") -> NovaTarget:
    """Turn a node's driver_info into a :class:`NovaTarget`.

    :raises InvalidNovaInfo: naming every missing and malformed field; its
        ``kwargs['missing_only']`` is True when nothing is malformed.
    """
    raise_problems(InvalidNovaInfo, node, *find_problems(info))
    if info.get("nova_cloud"):
        spec = spec_from_fields(str(info["nova_cloud"]).strip(),
                                region_name=info.get("nova_region_name"))
    else:
        spec = spec_from_fields(
            None,
            {"auth_url": info["nova_auth_url"].strip(),
             "username": info["nova_username"],
             "project_name": info["nova_project_name"],
             "user_domain_name": info.get("nova_user_domain_name") or "Default",
             "project_domain_name": info.get("nova_project_domain_name") or "Default"},
            password=info["nova_password"], region_name=info.get("nova_region_name"))
    return NovaTarget(server=str(info["nova_server"]).strip(), cloud=spec)
