"""The virtual BMC against real consoles: ipmitool (lanplus) and pyghmi's client.

One ``ironic-tripleo bmc serve`` process (started through ``python -m
ironic_tripleo.cli.bmc``) serves three memory-backend nodes on free UDP ports.
"""

import json
import os
import signal
import socket
import subprocess
import sys

import pytest

from tests.harness.ports import free_port
from tests.harness.waiting import wait_for

CIPHERS = ["3", "17", None]  # None: ipmitool picks one via Get Channel Cipher Suites


class Lab:
    def __init__(self, nodes):
        self.nodes = nodes

    def ipmitool(self, node, *args, cipher=None, password=None, timeout=20):
        entry = self.nodes[node]
        argv = ["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(entry["port"]),
                "-U", entry["username"], "-P", password or entry["password"],
                "-R", "1", "-N", "2"]
        if cipher:
            argv += ["-C", cipher]
        return subprocess.run(argv + list(args), capture_output=True, text=True,
                              timeout=timeout)

    def ok(self, node, *args, cipher=None):
        proc = self.ipmitool(node, *args, cipher=cipher)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def power(self, node, cipher=None):
        return self.ok(node, "power", "status", cipher=cipher).strip()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("vbmc")
    nodes = {}
    for name, password, power in (("n1", "password", "off"), ("n2", "secret2", "on"),
                                  ("n3", "password", "off")):
        nodes[name] = {"name": name, "port": free_port(socket.SOCK_DGRAM),
                       "username": "admin", "password": password, "backend": "memory",
                       "backend_args": {"power": power, "boot_device": "disk"}}
    config = tmp / "vbmc.json"
    config.write_text(json.dumps({"nodes": list(nodes.values())}))
    pid_file = tmp / "vbmc.pid"
    log = open(tmp / "vbmc.log", "w+")  # closed at teardown
    proc = subprocess.Popen([sys.executable, "-m", "ironic_tripleo.cli.bmc", "serve",
                             "--config", str(config), "--pid-file", str(pid_file)],
                            stdout=log, stderr=subprocess.STDOUT)
    lab = Lab(nodes)
    lab.log, lab.pid_file, lab.proc = log, pid_file, proc
    try:
        wait_for(pid_file.exists, timeout=20, what="vbmc pid file")
        wait_for(lambda: lab.ipmitool("n1", "power", "status", cipher="3").returncode == 0,
                 timeout=20, what="vbmc answering")
        yield lab
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def server_log(lab):
    lab.log.flush()
    lab.log.seek(0)
    return lab.log.read()


@pytest.mark.parametrize("cipher", CIPHERS)
def test_power_cycle_of_commands(server, cipher):
    server.ok("n1", "power", "off", cipher=cipher)
    assert server.power("n1", cipher) == "Chassis Power is off"
    assert "Up/On" in server.ok("n1", "power", "on", cipher=cipher)
    assert server.power("n1", cipher) == "Chassis Power is on"
    assert "Cycle" in server.ok("n1", "power", "cycle", cipher=cipher)
    assert "Reset" in server.ok("n1", "power", "reset", cipher=cipher)
    assert server.power("n1", cipher) == "Chassis Power is on"
    assert "Soft" in server.ok("n1", "power", "soft", cipher=cipher)
    assert server.power("n1", cipher) == "Chassis Power is off"
    assert "System Power         : off" in server.ok("n1", "chassis", "status", cipher=cipher)
    server.ok("n1", "power", "on", cipher=cipher)
    assert "System Power         : on" in server.ok("n1", "chassis", "status", cipher=cipher)
    assert "Down/Off" in server.ok("n1", "power", "off", cipher=cipher)


def test_reset_refused_when_off(server):
    server.ok("n3", "power", "off")
    proc = server.ipmitool("n3", "power", "reset")
    assert proc.returncode != 0
    assert "Command not supported in present state" in proc.stderr


@pytest.mark.parametrize("cipher", CIPHERS)
def test_boot_device(server, cipher):
    assert "Set Boot Device to pxe" in server.ok("n1", "chassis", "bootdev", "pxe",
                                                 cipher=cipher)
    out = server.ok("n1", "chassis", "bootparam", "get", "5", cipher=cipher)
    assert "Force PXE" in out and "Options apply to only next boot" in out
    assert "Boot Flag Valid" in out
    server.ok("n1", "chassis", "bootdev", "disk", "options=persistent", cipher=cipher)
    out = server.ok("n1", "chassis", "bootparam", "get", "5", cipher=cipher)
    assert "Force Boot from default Hard-Drive" in out
    assert "Options apply to all future boots" in out


def test_default_cipher_suite_discovery_picks_17(server):
    proc = server.ipmitool("n1", "-v", "power", "status")
    assert proc.returncode == 0, proc.stderr
    assert "Using best available cipher suite 17" in proc.stderr


@pytest.mark.parametrize("cipher", CIPHERS)
def test_wrong_password_refused_in_rakp2_and_changes_nothing(server, cipher):
    before = server.power("n2")
    proc = server.ipmitool("n2", "-v", "power", "off", cipher=cipher, password="wrong")
    assert proc.returncode != 0
    assert "RAKP 2 HMAC is invalid" in proc.stderr  # refused by an answer, not a timeout
    assert "Unable to establish IPMI v2 / RMCP+ session" in proc.stderr
    assert server.power("n2") == before


def test_unknown_user_is_named(server):
    entry = dict(server.nodes["n1"], username="nobody")
    lab = Lab({"x": entry})
    proc = lab.ipmitool("x", "-v", "power", "status")
    assert proc.returncode != 0
    assert "unauthorized name" in proc.stderr


def test_nodes_are_independent(server):
    server.ok("n1", "power", "on")
    server.ok("n3", "power", "off")
    server.ok("n1", "chassis", "bootdev", "pxe")
    server.ok("n3", "chassis", "bootdev", "disk", "options=persistent")
    assert server.power("n1") == "Chassis Power is on"
    assert server.power("n3") == "Chassis Power is off"
    assert "Force PXE" in server.ok("n1", "chassis", "bootparam", "get", "5")
    assert "Hard-Drive" in server.ok("n3", "chassis", "bootparam", "get", "5")
    # n2's password does not open n1.
    proc = server.ipmitool("n1", "power", "status", password="secret2")
    assert proc.returncode != 0


def test_unknown_command_is_invalid(server):
    proc = server.ipmitool("n1", "sel", "info")
    assert "Invalid command" in proc.stderr + proc.stdout


def test_power_and_boot_commands_are_logged_with_node_name(server):
    server.ok("n3", "power", "on")
    server.ok("n3", "chassis", "bootdev", "pxe")
    log = server_log(server)
    assert "n3: power on" in log
    assert "n3: boot device pxe" in log
    assert "password" not in log.replace("--pid-file", "")


def test_pyghmi_two_sessions_in_one_process(server):
    from pyghmi.exceptions import IpmiException
    from pyghmi.ipmi.command import Command

    def connect(name):
        entry = server.nodes[name]
        return Command(bmc="127.0.0.1", port=entry["port"], userid=b"admin",
                       password=entry["password"].encode())

    c1, c2 = connect("n1"), connect("n3")
    try:
        c1.set_power("off", wait=True)
        c2.set_power("on", wait=True)
        assert c1.get_power() == {"powerstate": "off"}
        assert c2.get_power() == {"powerstate": "on"}
        c1.set_bootdev("network")
        c2.set_bootdev("hd", persist=True)
        assert c1.get_bootdev()["bootdev"] == "network"
        assert c1.get_bootdev()["persistent"] is False
        assert c2.get_bootdev() == {"bootdev": "hd", "persistent": True, "uefimode": False}
        with pytest.raises(IpmiException, match="present state"):
            c1.set_power("reset")  # reset of an off machine: the BMC refuses
    finally:
        c1.ipmi_session.logout()
        c2.ipmi_session.logout()
    assert server.power("n1") == "Chassis Power is off"
    assert server.power("n3") == "Chassis Power is on"


PYGHMI_LOGIN = """
import sys
from pyghmi.exceptions import IpmiException
from pyghmi.ipmi.command import Command
try:
    Command(bmc="127.0.0.1", port=int(sys.argv[1]), userid=b"admin", password=b"wrong")
except IpmiException as exc:
    print(f"refused: {exc}")
else:
    print("logged in")
"""


def test_pyghmi_wrong_password(server):
    # In a process of its own: pyghmi's synchronous Command shares pyghmi's global
    # loop with whatever else uses pyghmi in the process (earlier tests leave our
    # IPMI loop thread running in this one).
    result = subprocess.run([sys.executable, "-c", PYGHMI_LOGIN,
                             str(server.nodes["n2"]["port"])],
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("refused:"), (result.stdout, result.stderr[-2000:])
    assert "Incorrect password" in result.stdout


def test_sigterm_stops_cleanly(server):
    # Last in the module: stops the shared server.
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(10) == 0
    assert not server.pid_file.exists()
    assert "stopping" in server_log(server)
