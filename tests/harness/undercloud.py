"""One real undercloud per test session: Keystone, Placement, Glance, Neutron, Nova 34
(API, conductor, scheduler, a nova-compute with the fake driver) and Heat, on SQLite,
with RabbitMQ, on free ports (``ironic_tripleo.lab.undercloud``).

Registered in ``tests/integration/conftest.py`` so that every module shares it.
Building ``.venv-undercloud`` on first use takes a few minutes; a start after that
about a minute. Tests that need more nova-computes (fake, or Ironic over a lab) call
``undercloud.add_compute(host)`` with a unique host name.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import openstack
import pytest

from ironic_tripleo.lab.undercloud import nova
from ironic_tripleo.lab.undercloud.plan import Plan
from ironic_tripleo.lab.undercloud.undercloud import CLOUD, Undercloud


@dataclasses.dataclass
class UndercloudHandle:
    """What a test gets: where to reach the undercloud and how to log in."""

    launcher: Undercloud
    plan: Plan
    #: the host of the fake-driver nova-compute started with it
    fake_host: str

    @property
    def clouds_yaml(self) -> Path:
        return self.launcher.clouds_yaml

    @property
    def cloud(self) -> str:
        return CLOUD

    @property
    def auth(self) -> dict[str, str]:
        """keystoneauth password arguments for the admin (project ``admin``)."""
        return {"auth_url": self.plan.auth_url, "username": "admin",
                "password": self.plan.passwords["admin"], "project_name": "admin",
                "user_domain_name": "Default", "project_domain_name": "Default"}

    @property
    def urls(self) -> dict[str, str]:
        """Endpoint URL by catalog type (``identity``, ``compute``, ``network``...)."""
        return {kind: url for kind, url in self.plan.endpoints().values()}

    def env(self) -> dict[str, str]:
        """``os.environ`` without ``OS_*``, plus what makes the ``openstack`` CLI (this
        venv's, first on ``PATH``) use this undercloud."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        path = f"{Path(sys.executable).parent}:{clean.get('PATH', '')}"
        return dict(clean, PATH=path, OS_CLIENT_CONFIG_FILE=str(self.clouds_yaml),
                    OS_CLOUD=CLOUD)

    def connection(self) -> openstack.connection.Connection:
        """A new openstacksdk connection as the admin."""
        return openstack.connect(region_name="RegionOne", **self.auth)

    def add_compute(self, host: str, driver: str = nova.FAKE_DRIVER,
                    ironic_url: str | None = None) -> None:
        """Start another nova-compute (stopped with the undercloud); with
        ``nova.IRONIC_DRIVER``, ``ironic_url`` is the Ironic it drives (a lab's)."""
        self.launcher.add_compute(host, driver, ironic_url=ironic_url)

    def remove_compute(self, host: str) -> None:
        """Stop that nova-compute and delete its service (and nodes) from Nova."""
        self.launcher.remove_compute(host)


def active_server(conn: openstack.connection.Connection, flavor, image, name: str):
    """Create a server without networks and wait until it is ACTIVE.

    :raises AssertionError: naming its status and Nova's fault when it went ERROR.
    """
    server = conn.compute.create_server(name=name, flavor_id=flavor.id,
                                        image_id=image.id, networks="none")
    try:
        return conn.compute.wait_for_server(server, status="ACTIVE",
                                            failures=["ERROR"], wait=300)
    except openstack.exceptions.ResourceFailure:
        server = conn.compute.get_server(server)
        raise AssertionError(f"{name}: {server.status} {server.fault}") from None


@pytest.fixture(scope="session")
def undercloud(tmp_path_factory) -> Iterator[UndercloudHandle]:
    """A running undercloud with one fake-driver compute; stopped at session end."""
    launcher = Undercloud(tmp_path_factory.mktemp("undercloud"))
    fake_host = f"fake-{uuid.uuid4().hex[:6]}"
    try:
        plan = launcher.up(fake_computes=[fake_host])
        yield UndercloudHandle(launcher, plan, fake_host)
    finally:
        launcher.down()
