import argparse
import json
import os
import signal
import socket
import threading

from ironic_tripleo.cli import bmc
from tests.harness.ports import free_port
from tests.harness.waiting import wait_for


def write_config(tmp_path, **node):
    entry = {"name": "n1", "port": free_port(socket.SOCK_DGRAM), "username": "admin",
             "password": "password"}
    entry.update(node)
    path = tmp_path / "vbmc.json"
    path.write_text(json.dumps({"nodes": [entry]}))
    return path, entry


def parse(argv):
    parser = argparse.ArgumentParser()
    bmc.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_check(tmp_path, capsys):
    path, entry = write_config(tmp_path)
    args = parse(["bmc", "check", "--config", str(path)])
    assert args.func(args) == 0
    assert capsys.readouterr().out == f"n1\t127.0.0.1:{entry['port']}\tmemory\n"


def test_serve_refuses_a_bad_config(tmp_path, capsys):
    path, _ = write_config(tmp_path, backend="no-such-backend")
    assert bmc.main(["serve", "--config", str(path)]) == 2
    assert "node n1: field backend: unknown backend 'no-such-backend'" in capsys.readouterr().err


def test_serve_until_sigterm(tmp_path):
    """SIGTERM ends ``serve``: pid file gone, handlers restored.

    The signal is sent only once the pid file exists: ``serve`` writes it after
    installing its handlers, so the signal can neither kill pytest (default handler)
    nor be lost. A fixed delay raced a slow start on a loaded CI machine: the pid file
    was not there yet, the timer thread died, and ``serve`` never ended.
    """
    path, entry = write_config(tmp_path)
    pid_file = tmp_path / "pid"
    args = parse(["bmc", "serve", "--config", str(path), "--pid-file", str(pid_file)])
    seen = {}

    def terminate():
        try:
            wait_for(pid_file.exists, timeout=60, what="the pid file")
            seen["pid"] = pid_file.read_text().strip()
        except Exception as exc:  # reported by the main thread below
            seen["error"] = exc
            return
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=terminate, daemon=True)
    thread.start()
    assert args.func(args) == 0
    thread.join(timeout=60)
    assert "error" not in seen, seen
    assert seen["pid"] == str(os.getpid())
    assert not pid_file.exists()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
