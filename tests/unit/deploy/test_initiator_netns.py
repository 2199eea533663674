import pytest

from ironic_tripleo.deploy import initiator_netns
from ironic_tripleo.deploy.target import Target


def test_argv_without_namespace_is_unchanged():
    assert initiator_netns.argv(None, ["qemu-img", "info"]) == ["qemu-img", "info"]
    assert initiator_netns.argv("", ["x"]) == ["x"]


def test_argv_in_namespace():
    assert initiator_netns.argv("ns1", ["qemu-img", "info"]) == [
        "ip", "netns", "exec", "ns1", "qemu-img", "info"]


def test_missing_namespace_names_the_option():
    with pytest.raises(initiator_netns.NetnsError, match="initiator_netns"):
        initiator_netns.socket_in("no-such-namespace-ironic-tripleo-test")


def test_session_without_namespace_is_plain():
    s = initiator_netns.session(None)
    assert s.trust_env
    s.close()


def test_target_netns_does_not_change_portal_or_opts():
    t = Target("198.51.100.9", 3260, "iqn.2026-11.org.x:y", netns="ns1")
    assert t.portal == "198.51.100.9:3260"
    assert "ns1" not in t.image_opts()
