"""The conductor's command runner, with real commands (sh, sleep)."""

import pytest

from ironic_tripleo import command
from ironic_tripleo.exception import CommandFailed


def test_success_returns_stdout():
    assert command.run_checked(["sh", "-c", "echo hello"], timeout=10) == "hello\n"


def test_failure_names_command_code_and_stderr_tail():
    script = "for i in 1 2 3 4 5 6 7 8; do echo line$i >&2; done; exit 3"
    with pytest.raises(CommandFailed) as info:
        command.run_checked(["sh", "-c", script], timeout=10)
    text = str(info.value)
    assert text.startswith("sh exited 3: ")
    assert "line8" in text and "line3" in text and "line2" not in text  # the last six


def test_timeout_kills_and_reports_a_failed_result():
    result = command.run(["sleep", "30"], timeout=0.3)
    assert result.returncode == command.KILLED
    assert "sleep gave no answer within 0.3s and was killed" in result.stderr
    with pytest.raises(CommandFailed, match="sleep was killed at its timeout"):
        command.check(result)


def test_wrapped_commands_are_named_by_what_they_run():
    assert command.program(["ip", "netns", "exec", "ns1", "qemu-img", "info", "x"]) == \
        "qemu-img info"
    assert command.program(["prlimit", "--as=1", "--", "/usr/bin/qemu-img", "convert"]) == \
        "qemu-img convert"
    assert command.program(["/sbin/parted", "-s"]) == "parted"


def test_shown_argv_keeps_secrets_out_of_the_log(caplog):
    caplog.set_level("DEBUG", logger="ironic_tripleo.command")
    command.run(["sh", "-c", "true", "s3cret"], timeout=10,
                shown=["sh", "-c", "true", "***"])
    assert "***" in caplog.text and "s3cret" not in caplog.text
