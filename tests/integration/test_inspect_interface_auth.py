"""A real Ironic 39 reaching a secured discoverd through the ``discoverd`` inspect interface.

For each of discoverd's auth strategies Ironic gets ``[tripleo_discoverd]``
keystoneauth1 credentials: ``http_basic`` against a real bcrypt htpasswd file, and
``keystone`` with discoverd behind keystonemiddleware's ``auth_token``: once with
keystonemiddleware's own ``AuthTokenFixture`` and a fixed token (keystoneauth1's
``admin_token`` plugin; cheap, no Keystone), once against the undercloud's real
Keystone 30 (Ironic gets its token with ``auth_type = password``, discoverd's
``auth_token`` validates it there). The ramdisk is played by posting a payload to
``/v1/continue``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import pytest
import requests
from keystonemiddleware.fixture import AuthTokenFixture

from baremetal_common.cloud import connect
from discoverd.conf import new_conf
from discoverd.server import Server
from ironic_tripleo.lab.ironic_service import IronicConfig, IronicService
from tests.harness.discoverd_payloads import ramdisk_payload
from tests.harness.ports import free_port
from tests.harness.waiting import wait_for

API = {"X-OpenStack-Ironic-API-Version": "latest"}
MAC = "52:54:02:{:02x}:00:01"
KEYSTONE = "http://keystone.invalid:5000/v3"  # only named in the 401 challenge


class Stack:
    """One Ironic (fake power, ``discoverd`` inspect with credentials) and a discoverd
    that can be restarted on the same port with other options."""

    def __init__(self, workdir, ironic_auth: dict[str, str]) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ironic = IronicService(IronicConfig(
            workdir=workdir / "ironic", port=free_port(), hardware_types=("fake-tripleo",),
            power_interfaces=("fake",), management_interfaces=("fake",),
            boot_interfaces=("fake",), deploy_interfaces=("fake",),
            inspect_interfaces=("discoverd", "no-inspect"), vendor_interfaces=("no-vendor",),
            extra={"tripleo_discoverd": {"url": self.url, "status_check_period": "1",
                                         **ironic_auth},
                   "conductor": {"check_provision_state_interval": "5"}}))
        self.server: Server | None = None
        self.count = 0

    def start_discoverd(self, config_file: Path | None = None, **options: object) -> None:
        """(Re)start discoverd on this stack's port with ``options`` (``GROUP__name``
        for other groups than ``[DEFAULT]``) over ``config_file`` (for options that
        are registered only when read, such as an auth plugin's)."""
        self.stop_discoverd()
        conf = new_conf(["--config-file", str(config_file)] if config_file else [])
        conf.set_override("connection", f"sqlite:///{self.workdir / 'discoverd.sqlite'}",
                          group="database")
        conf.set_override("url", self.ironic.url, group="ironic")
        conf.set_override("listen_address", "127.0.0.1")
        for key, value in options.items():
            group, _, name = key.rpartition("__")
            conf.set_override(name, value, group=group or None)
        self.server = Server(conf, port=self.port).start()
        wait_for(lambda: requests.get(self.url, timeout=2).ok, 10, what="discoverd")

    def stop_discoverd(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def inspect(self) -> tuple[object, str]:
        """Enroll a manageable node with one port and start Ironic's inspection."""
        self.count += 1
        baremetal = connect(self.ironic.url).baremetal
        node = baremetal.create_node(driver="fake-tripleo", name=f"auth-{uuid.uuid4().hex[:8]}",
                                     inspect_interface="discoverd", boot_interface="fake",
                                     power_interface="fake", management_interface="fake",
                                     deploy_interface="fake", vendor_interface="no-vendor",
                                     driver_info={"ipmi_address": f"10.30.0.{self.count}"},
                                     provision_state="manageable")
        mac = MAC.format(self.count)
        baremetal.create_port(node_uuid=node.id, address=mac)
        r = requests.put(f"{self.ironic.url}/v1/nodes/{node.id}/states/provision",
                         headers=API, json={"target": "inspect"}, timeout=30)
        assert r.status_code == 202, r.text
        return baremetal, node.id, mac

    def wait_state(self, baremetal, node: str, *wanted: str):
        def reached():
            n = baremetal.get_node(node)
            return n if n.provision_state in wanted else None
        return wait_for(reached, 60, 0.2, what=f"node {node} in {wanted}")


@contextlib.contextmanager
def stack(workdir, ironic_auth: dict[str, str]) -> Iterator[Stack]:
    s = Stack(workdir, ironic_auth)
    s.ironic.start()
    try:
        yield s
    finally:
        s.stop_discoverd()
        s.ironic.stop()


def inspect_to_manageable(s: Stack) -> None:
    """A whole inspection: Ironic's start call and status polls pass discoverd's auth."""
    baremetal, node, mac = s.inspect()
    s.wait_state(baremetal, node, "inspect wait")
    r = requests.post(f"{s.url}/v1/continue", json=ramdisk_payload([mac], cpus=6), timeout=30)
    assert r.status_code == 200, r.text
    done = s.wait_state(baremetal, node, "manageable", "inspect failed")
    assert done.provision_state == "manageable", done.last_error
    assert done.properties["cpus"] == 6


def inspect_refused(s: Stack, status: int) -> str:
    """Ironic's inspection fails at its start call; returns the node's last_error."""
    baremetal, node, _ = s.inspect()
    failed = s.wait_state(baremetal, node, "inspect failed", "inspect wait")
    assert failed.provision_state == "inspect failed"
    assert f"HTTP {status}" in failed.last_error, failed.last_error
    return failed.last_error


def htpasswd(path, user: str, password: str):
    path.write_text(f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()}\n")
    return path


def test_http_basic(tmp_path):
    auth = {"auth_type": "http_basic", "username": "ironic", "password": "s3cret-pw"}
    with stack(tmp_path, auth) as s:
        users = htpasswd(tmp_path / "htpasswd", "ironic", "s3cret-pw")
        s.start_discoverd(auth_strategy="http_basic", http_basic_auth_user_file=str(users))
        assert requests.get(f"{s.url}/v1/introspection", timeout=5).status_code == 401
        inspect_to_manageable(s)
        # The same Ironic against a discoverd whose file has another password.
        other = htpasswd(tmp_path / "htpasswd2", "ironic", "changed")
        s.start_discoverd(auth_strategy="http_basic", http_basic_auth_user_file=str(other))
        assert "invalid user name or password" in inspect_refused(s, 401)


@pytest.fixture
def tokens():
    fixture = AuthTokenFixture()
    fixture.setUp()
    yield fixture
    fixture.cleanUp()


def test_keystone_token(tmp_path, tokens):
    token = uuid.uuid4().hex
    tokens.add_token_data(token_id=token, user_name="ironic", user_id="u-ironic",
                          project_id="p-service", role_list=["service", "admin"])
    auth = {"auth_type": "admin_token", "token": token, "endpoint": "http://unused.invalid"}
    with stack(tmp_path, auth) as s:
        s.start_discoverd(auth_strategy="keystone",
                          keystone_authtoken__www_authenticate_uri=KEYSTONE)
        r = requests.get(f"{s.url}/v1/introspection", timeout=5)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Keystone")
        inspect_to_manageable(s)
        # A discoverd that allows other roles only: the token is valid, the role is not.
        s.start_discoverd(auth_strategy="keystone", keystone_roles=["baremetal_admin"],
                          keystone_authtoken__www_authenticate_uri=KEYSTONE)
        assert "none of the roles" in inspect_refused(s, 403)


def test_keystone_password_against_real_keystone(tmp_path, undercloud):
    """Ironic logs in to the undercloud's Keystone (password plugin) and discoverd's
    auth_token validates that token with Keystone; a wrong password fails the
    inspection at Keystone, before discoverd is asked."""
    auth = undercloud.auth
    ironic_auth = {"auth_type": "password", "auth_url": auth["auth_url"],
                   "username": auth["username"], "password": auth["password"],
                   "project_name": auth["project_name"],
                   "user_domain_name": auth["user_domain_name"],
                   "project_domain_name": auth["project_domain_name"]}
    authtoken = tmp_path / "discoverd-keystone.conf"
    authtoken.write_text("\n".join([
        "[keystone_authtoken]", f"www_authenticate_uri = {auth['auth_url']}",
        *(f"{key} = {value}" for key, value in ironic_auth.items()), ""]))
    with stack(tmp_path, ironic_auth) as s:
        s.start_discoverd(authtoken, auth_strategy="keystone")
        r = requests.get(f"{s.url}/v1/introspection", timeout=5,
                         headers={"X-Auth-Token": "not-a-keystone-token"})
        assert r.status_code == 401
        inspect_to_manageable(s)
    wrong = dict(ironic_auth, password="not-the-password")
    (tmp_path / "wrong").mkdir()
    with stack(tmp_path / "wrong", wrong) as s:
        s.start_discoverd(authtoken, auth_strategy="keystone")
        baremetal, node, _ = s.inspect()
        failed = s.wait_state(baremetal, node, "inspect failed", "inspect wait")
        assert failed.provision_state == "inspect failed"
        assert "401" in failed.last_error or "nauthorized" in failed.last_error, \
            failed.last_error
