"""What a lab's Ironic and discoverd need from the undercloud above them.

``keystone_record`` is what ``Lab.up(keystone=...)`` and ``Lab.set_keystone`` take
(see ``ironic_tripleo.lab.keystone_auth``): both services behind this Keystone as its
``ironic`` and ``discoverd`` users, Ironic reading images from this Glance, the lab's
clients logging in as the admin.

Nova's Ironic driver gives Ironic a Glance image ID; the lab's Ironic fetches that
image from the undercloud's Glance, which sits behind Keystone (the record's
``glance_url``; ``keystone_auth.ironic_sections`` makes the ``[glance]`` section).
"""

from __future__ import annotations

from pathlib import Path

from ironic_tripleo.lab.undercloud.plan import REGION, SERVICE_PROJECT, Plan


def keystone_record(plan: Plan, clouds_yaml: Path, cloud: str, system_cloud: str) -> dict:
    """The lab's Keystone record for this undercloud (``keystone_auth``)."""
    return {"auth_url": plan.auth_url, "region": REGION, "project": SERVICE_PROJECT,
            "users": {user: plan.passwords[user] for user in ("ironic", "discoverd")},
            "admin": {"username": "admin", "password": plan.passwords["admin"],
                      "project_name": "admin"},
            "glance_url": plan.url("glance"), "clouds_yaml": str(clouds_yaml),
            "cloud": cloud, "system_cloud": system_cloud}
