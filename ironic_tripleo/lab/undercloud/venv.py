"""The undercloud's own venv (``.venv-undercloud``), built on first use with a lock.

Nova, Placement, Keystone, Glance, Neutron and Heat are not installed into ``.venv``
(their dependencies could move Ironic's): a side venv (``lab.side_venv``: sees
``.venv``'s packages, built under a lock, stamped, rebuilt when stale).
"""

from __future__ import annotations

import os
from pathlib import Path

from ironic_tripleo.lab.exception import SideVenvError, UndercloudError
from ironic_tripleo.lab.side_venv import SideVenv

ROOT = Path(__file__).resolve().parents[3]
VENV = Path(os.environ.get("UNDERCLOUD_VENV", ROOT / ".venv-undercloud"))
# Releases of the same OpenStack cycle as Ironic 39 that install together.
REQUIREMENTS = ("nova==34.0.0", "openstack-placement==16.0.0", "keystone==30.0.0",
                "openstack-heat==27.0.1", "neutron==29.0.0", "glance>=33,<34")
STAMP = ".stamp-undercloud"
#: The programs whose presence says the build finished.
PROGRAMS = ("nova-manage", "nova-conductor", "nova-scheduler", "nova-compute",
            "placement-manage", "keystone-manage", "glance-manage",
            "neutron-db-manage", "heat-engine", "heat-manage")


def side_venv(venv: Path = VENV) -> SideVenv:
    """The undercloud's venv description."""
    return SideVenv(venv, REQUIREMENTS, PROGRAMS, STAMP)


def ready(venv: Path = VENV) -> bool:
    """Whether ``venv`` is fully built for the current requirements."""
    return side_venv(venv).ready()


def ensure(venv: Path = VENV) -> Path:
    """Return ``venv``, building it first when it is missing or stale.

    :raises UndercloudError: naming pip's failure.
    """
    try:
        return side_venv(venv).ensure()
    except SideVenvError as exc:
        raise UndercloudError(reason=str(exc)) from exc
