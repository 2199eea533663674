"""The overcloud Heat template that consumes what ``ahc-match --emit`` writes.

``overcloud.yaml`` (package data) has, for each role of the example rules
(``control``, ``compute``, ``ceph-storage``, ``block-storage``, ``swift-storage``), an
``OS::Heat::ResourceGroup`` of ``OS::Nova::Server`` sized by ``<Role>Count`` with the
flavor ``Overcloud<Role>Flavor``, all with the image ``OvercloudImage`` and, unless
``OvercloudNetwork`` names a network, no network at all. The emitted
``overcloud-roles.yaml`` sets the counts and flavors as ``parameter_defaults``::

    openstack stack create -t overcloud.yaml -e overcloud-roles.yaml overcloud
"""

from __future__ import annotations

from pathlib import Path

import yaml

TEMPLATE = Path(__file__).resolve().with_name("overcloud.yaml")


def template_parameters(path: Path = TEMPLATE) -> dict[str, dict]:
    """The template's parameters by name (type, default, description)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["parameters"]


def role_groups(path: Path = TEMPLATE) -> dict[str, str]:
    """Each role's resource group name by role, read from the servers' metadata."""
    resources = yaml.safe_load(path.read_text(encoding="utf-8"))["resources"]
    return {res["properties"]["resource_def"]["properties"]["metadata"]
            ["ironic-tripleo-role"]: name for name, res in resources.items()}
