"""IPMI calls under packet loss and late answers end by their deadline, with the right
states.

16 virtual BMCs (one process) sit in one network namespace, the client (a
:class:`SessionPool` used by 48 threads, see ``ipmi_fault_workload.py``) in another;
between them nftables drops 30 % of the packets, or a UDP proxy in front of each
BMC delays every packet by 0-1.25 s each way (this kernel has no netem). Every call
must end by its deadline: ``command_timeout``, with as much again for scheduling on
a loaded 2-core machine (calls measured here end at 2.00-2.01 s even under CI load;
the defect this guards against left calls running for 20-400 s). That deadline is
the behaviour the issue asks for, not a speed target. No read may report a power
state the BMC did not have. Before the pool owned
pyghmi's loop, calls hung for minutes here (two threads deadlocked on pyghmi's
locks).

``IRONIC_TRIPLEO_UNDER_TEST=/path/to/checkout`` runs the client from another
checkout (how the failure without the fix was shown).
"""

from __future__ import annotations

import json
import os
import pathlib
import secrets
import subprocess
import sys

import pytest

from ironic_tripleo.lab import netns

HERE = pathlib.Path(__file__).resolve().parent
ROOT = pathlib.Path(os.environ.get("IRONIC_TRIPLEO_UNDER_TEST", HERE.parent.parent))
TIMEOUT = 2.0
# Scheduling slack on a loaded 2-core machine; a hang is tens of seconds, not this.
MARGIN = TIMEOUT
BMCS = 16
CLIENT_IP, BMC_IP = "203.0.113.1", "203.0.113.2"

SERVE = """
import json, sys
from ironic_tripleo.vbmc.memory_backend import MemoryBackend
from ironic_tripleo.vbmc.server import BmcServer
from tests.harness.ipmi_sim import DelayProxy
address, count, jitter = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
server = BmcServer()
ports = [server.add_node(f"n{i}", MemoryBackend(power="off"), "admin", "password",
                         address=address) for i in range(count)]
if jitter:  # the BMCs answer late: clients talk to a delaying proxy in front of each
    proxies = [DelayProxy(server.address_of(f"n{i}")[1], 0.0, jitter, listen=address)
               for i in range(count)]
    for proxy in proxies:
        proxy.target = (address, proxy.target[1])
    ports = [proxy.port for proxy in proxies]
server.start()
print(json.dumps(ports), flush=True)
sys.stdin.read()
server.stop()
"""


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, text=True, timeout=30)


@pytest.fixture
def lossy_link():
    """Two namespaces joined by a veth pair; yields (client ns, bmc ns, set_fault)."""
    suffix = secrets.token_hex(3)
    client, bmc = f"ipc-{suffix}", f"ipb-{suffix}"
    links = {client: f"vc{suffix}", bmc: f"vb{suffix}"}
    netns.add_namespace(client)
    netns.add_namespace(bmc)
    try:
        _run("ip", "link", "add", links[client], "netns", client, "type", "veth",
             "peer", "name", links[bmc], "netns", bmc)
        for ns, address in ((client, CLIENT_IP), (bmc, BMC_IP)):
            _run("ip", "-n", ns, "addr", "add", f"{address}/30", "dev", links[ns])
            _run("ip", "-n", ns, "link", "set", links[ns], "up")
            _run("ip", "-n", ns, "link", "set", "lo", "up")

        def set_fault(loss: int) -> None:
            for ns, link in links.items():
                rules = (f"table inet fault {{\n chain out {{\n  type filter hook "
                         f"output priority 0;\n  oifname \"{link}\" numgen random "
                         f"mod 100 < {loss} drop\n }}\n}}\n")
                subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"],
                               input=rules, check=True, capture_output=True,
                               text=True, timeout=30)

        yield client, bmc, set_fault
    finally:
        for ns in (client, bmc):
            for pid in netns.namespace_pids(ns):
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            netns.delete_namespace(ns)


def _serve_bmcs(namespace: str, jitter: float) -> tuple[subprocess.Popen, list[int]]:
    child = subprocess.Popen(["ip", "netns", "exec", namespace, sys.executable, "-c",
                              SERVE, BMC_IP, str(BMCS), str(jitter)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, cwd=HERE.parent.parent,
                             env={**os.environ, "PYTHONPATH": str(HERE.parent.parent)})
    return child, json.loads(child.stdout.readline())


def _stop(child: subprocess.Popen) -> None:
    child.stdin.close()
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _workload(namespace: str, ports: list[int], duration: float) -> dict:
    argv = ["ip", "netns", "exec", namespace, sys.executable,
            str(HERE / "ipmi_fault_workload.py"), "--address", BMC_IP,
            "--ports", ",".join(map(str, ports)), "--timeout", str(TIMEOUT),
            "--retries", "1", "--readers", "2", "--duration", str(duration)]
    result = subprocess.run(argv, capture_output=True, text=True,
                            timeout=duration + TIMEOUT * 3 + 30,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("loss", "jitter"), [(30, 0.0), (0, 1.25)],
                         ids=["loss-30pct", "late-0-2.5s"])
def test_every_call_ends_by_its_deadline(lossy_link, loss, jitter):
    client, bmc_ns, set_fault = lossy_link
    server, ports = _serve_bmcs(bmc_ns, jitter)
    try:
        if loss:
            set_fault(loss)
        report = _workload(client, ports, duration=20.0)
    finally:
        _stop(server)
    summary = (f"{report['calls']} calls, {report['ok']} ok, errors {report['errors']}, "
               f"max {max(report['durations'], default=0):.2f}s, "
               f"{len(report['stuck'])} still running, ok per BMC {report['ok_per_bmc']}, "
               f"{report['messages'][:8]}")
    print(summary)
    assert not report["stuck"], f"calls never ended: {report['stuck'][:3]} ({summary})"
    late = [d for d in report["durations"] if d > TIMEOUT + MARGIN]
    assert not late, f"{len(late)} calls past their deadline: {sorted(late)[-5:]} ({summary})"
    assert not report["wrong"], f"wrong power states: {report['wrong'][:3]}"
    # The faults (harsh for a 2 s timeout) must leave work getting done, or the test
    # proves nothing. At 30 % loss each way a login (four round trips) often fails
    # within 2 s: 10-12 of 16 BMCs got a good read on a quiet machine, 7 in a loaded
    # CI run, so a quarter is the bar; a BMC once logged in serves dozens of reads.
    assert report["bmcs_with_a_good_read"] >= BMCS // 4, summary
    assert report["ok"] >= 20, summary
