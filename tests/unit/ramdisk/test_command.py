"""The agent's command runner, with real commands (sh, sleep, a missing program)."""

import pytest

from ramdisk import command
from ramdisk.exception import CommandFailed


def test_success_returns_stdout():
    assert command.check(command.run(["sh", "-c", "echo hi"], timeout=10)) == "hi\n"


def test_failure_names_command_code_and_stderr_tail_with_secrets_masked():
    script = "for i in 1 2 3 4 5 6 7 8; do echo line$i >&2; done; exit 4"
    argv = ["sh", "-c", script, "s3cret"]
    shown = ["sh", "-c", "...", "***"]
    with pytest.raises(CommandFailed) as info:
        command.check(command.run(argv, 10, shown), shown)
    text = str(info.value)
    assert text.startswith("sh -c ... *** exited 4: ")
    assert "line8" in text and "line3" in text and "line2" not in text
    assert "s3cret" not in text


def test_timeout_and_missing_program_are_failed_results():
    killed = command.run(["sleep", "30"], timeout=0.3)
    assert killed.returncode == command.KILLED
    with pytest.raises(CommandFailed, match="sleep 30 was killed at its timeout: sleep gave "
                                            "no answer within 0.3s"):
        command.check(killed)
    missing = command.run(["/nonexistent/tool-x"], timeout=5)
    assert missing.returncode == command.NOT_RUN
    with pytest.raises(CommandFailed, match="could not be started: cannot run"):
        command.check(missing)


def test_cwd_env_and_no_timeout(tmp_path):
    result = command.run(["sh", "-c", "pwd; echo $X"], None, cwd=tmp_path, env={"X": "y"})
    assert command.check(result) == f"{tmp_path}\ny\n"


def test_uncaptured_output_goes_to_our_stdout(capfd):
    result = command.run(["sh", "-c", "echo to-console; exit 3"], 10, capture=False)
    assert result.returncode == 3 and not result.stdout
    assert "to-console" in capfd.readouterr().out


def test_check_raises_the_callers_subclass():
    class Special(CommandFailed):
        pass

    with pytest.raises(Special, match="^false exited 1"):
        command.check(command.run(["false"], 10), failure=Special)
