import argparse
import json
import os
import signal
import socket
import threading

from ironic_tripleo.cli import bmc
from tests.harness.ports import free_port


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
    path, entry = write_config(tmp_path)
    pid_file = tmp_path / "pid"
    args = parse(["bmc", "serve", "--config", str(path), "--pid-file", str(pid_file)])
    seen = {}

    def terminate():
        seen["pid"] = pid_file.read_text().strip()
        os.kill(os.getpid(), signal.SIGTERM)

    timer = threading.Timer(0.5, terminate)
    timer.start()
    try:
        assert args.func(args) == 0
    finally:
        timer.cancel()
    assert seen["pid"] == str(os.getpid())
    assert not pid_file.exists()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
