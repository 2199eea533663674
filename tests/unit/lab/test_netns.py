"""``netns.delete_link`` is idempotent, also when the link vanishes mid-delete."""

from __future__ import annotations

import subprocess

import pytest

from ironic_tripleo.lab import netns


def _ip_failing_with(stderr: str):
    def fake_ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.CompletedProcess(["ip", *args], 2, "", stderr)
    return fake_ip


@pytest.mark.parametrize("stderr", [
    'Cannot find device "itv-abcdef-c"\n',
    # the veth's namespace was just deleted: the kernel removed it after ip's lookup
    "RTNETLINK answers: No such device\n",
])
def test_a_link_that_is_gone_is_not_an_error(monkeypatch, stderr):
    monkeypatch.setattr(netns, "ip", _ip_failing_with(stderr))
    netns.delete_link("itv-abcdef-c")


def test_another_failure_is_raised(monkeypatch):
    failing = _ip_failing_with("RTNETLINK answers: Operation not permitted\n")
    monkeypatch.setattr(netns, "ip", failing)
    with pytest.raises(netns.NetworkError, match="Operation not permitted"):
        netns.delete_link("itv-abcdef-c")
