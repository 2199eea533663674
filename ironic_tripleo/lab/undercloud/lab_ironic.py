"""What a lab's Ironic needs so that Nova can deploy the undercloud's images on it.

Nova's Ironic driver gives Ironic a Glance image ID; the lab's Ironic fetches that
image from the undercloud's Glance, which sits behind Keystone. ``glance_section``
is the ``[glance]`` section for that (the undercloud's ``ironic`` service user), to
pass as ``Lab.up(ironic_overrides={"extra": {"glance": ...}})``.
"""

from __future__ import annotations

from ironic_tripleo.lab.undercloud.plan import REGION, SERVICE_PROJECT, Plan


def glance_section(plan: Plan) -> dict[str, str]:
    """``[glance]`` options for an Ironic that reads the undercloud's Glance."""
    return {"auth_type": "password", "auth_url": plan.auth_url, "username": "ironic",
            "password": plan.passwords["ironic"], "project_name": SERVICE_PROJECT,
            "user_domain_name": "Default", "project_domain_name": "Default",
            "region_name": REGION, "endpoint_override": plan.url("glance")}
