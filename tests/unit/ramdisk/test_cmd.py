"""The command line: sub-commands, dry run, exit codes."""

import json

import pytest

from ramdisk import cmd, inventory

PAYLOAD = {"inventory": {"interfaces": [{"name": "eth0", "mac_address": "52:54:00:aa:bb:01"}]},
           "error": None}


@pytest.fixture
def fake_payload(mocker):
    return mocker.patch.object(inventory, "build_payload", autospec=True,
                               return_value=PAYLOAD)


def _cmdline(tmp_path, text):
    path = tmp_path / "cmdline"
    path.write_text(text)
    return str(path)


def test_dry_run_prints_json(tmp_path, fake_payload, capsys):
    path = _cmdline(tmp_path, "BOOTIF=01-52-54-00-aa-bb-01 ipa-inspection-benchmarks=cpu")
    assert cmd.main(["discover", "--dry-run", "--cmdline", path]) == 0
    assert json.loads(capsys.readouterr().out) == PAYLOAD
    params = fake_payload.call_args.args[0]
    assert params.boot_mac == "52:54:00:aa:bb:01" and params.benchmarks == ["cpu"]


def test_benchmarks_flag_overrides_cmdline(tmp_path, fake_payload):
    path = _cmdline(tmp_path, "ipa-inspection-benchmarks=cpu")
    assert cmd.main(["discover", "--dry-run", "--cmdline", path, "--benchmarks", "mem,disk",
                     "--all-disks"]) == 0
    params = fake_payload.call_args.args[0]
    assert params.benchmarks == ["mem", "disk"] and params.all_disks is True


def test_no_callback_url_is_a_usage_error(tmp_path, fake_payload, caplog):
    assert cmd.main(["discover", "--cmdline", _cmdline(tmp_path, "quiet")]) == 2
    assert "ipa-inspection-callback-url" in caplog.text
    fake_payload.assert_not_called()


def test_missing_cmdline_file_still_works(tmp_path, fake_payload):
    assert cmd.main(["discover", "--dry-run", "--cmdline", str(tmp_path / "none")]) == 0


def test_posts_to_the_cmdline_url(tmp_path, fake_payload, callback_server):
    callback_server.statuses = [503]
    path = _cmdline(tmp_path, f"discoverd_callback_url={callback_server.url}")
    assert cmd.main(["discover", "--cmdline", path, "--retry-backoff", "0.01"]) == 0
    assert callback_server.bodies == [PAYLOAD, PAYLOAD]


def test_callback_failure_exit_code(tmp_path, fake_payload, callback_server):
    callback_server.statuses = [500, 500]
    assert cmd.main(["discover", "--cmdline", _cmdline(tmp_path, ""), "--callback-url",
                     callback_server.url, "--retries", "2", "--retry-backoff", "0.01"]) == 1


def test_mode_is_required(capsys):
    with pytest.raises(SystemExit) as exc:
        cmd.main([])
    assert exc.value.code == 2
    assert "discover" in capsys.readouterr().err
