"""``ironic-tripleo enroll --validate-only``: checks the file without Ironic."""

import argparse
import json

from ironic_tripleo.cli import enroll as enroll_cli


def run(*argv):
    parser = argparse.ArgumentParser()
    enroll_cli.register(parser.add_subparsers())
    args = parser.parse_args(["enroll", *argv])
    return args.func(args)


def test_validate_only(tmp_path, capsys, caplog):
    path = tmp_path / "nodes.csv"
    path.write_text("ipmi,198.51.100.9,admin,pw,52:54:00:aa:00:01\n")
    # No Ironic at this URL: --validate-only never contacts it.
    assert run(str(path), "--validate-only", "--ironic-url", "http://127.0.0.1:9") == 0
    assert capsys.readouterr().out == f"{path}: 1 nodes, valid\n"
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps({"nodes": [{"pm_addr": "198.51.100.9", "pm_user": "u",
                                           "pm_password": "p", "ports": [{}]}]}))
    assert run(str(path), "--validate-only") == 1
    assert "node 0 (-): ports[0].address is missing" in caplog.text
