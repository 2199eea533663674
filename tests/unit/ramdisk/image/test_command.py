"""The image build's commands go through the agent's runner (real sh, sleep)."""

import pytest

from ramdisk.exception import CommandFailed as AgentCommandFailed
from ramdisk.image import command
from ramdisk.image.exception import BuildError, CommandFailed


def test_runs_in_cwd(tmp_path):
    assert command.run(["pwd"], cwd=tmp_path) == f"{tmp_path}\n"


def test_failure_is_a_build_error_naming_only_the_program():
    with pytest.raises(CommandFailed) as info:
        command.run(["sh", "-c", "echo no such package >&2; exit 2", "long-argument-list"])
    assert isinstance(info.value, BuildError) and isinstance(info.value, AgentCommandFailed)
    assert str(info.value) == "sh exited 2: no such package"


def test_timeout_is_a_build_error():
    # It escaped as subprocess.TimeoutExpired when the build had its own runner.
    with pytest.raises(CommandFailed, match="sleep was killed at its timeout"):
        command.run(["sleep", "30"], timeout=0.3)
