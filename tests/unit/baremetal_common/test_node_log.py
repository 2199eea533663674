"""The node-context log prefix."""

import logging

from baremetal_common.node_log import node_log, prefix


def test_prefix_shows_what_is_known():
    assert prefix("n1") == "[node n1]"
    assert prefix("n1", mac="52:54:00:00:00:01", bmc="10.0.0.5") == \
        "[node n1 MAC 52:54:00:00:00:01 BMC 10.0.0.5]"


def test_lines_carry_the_prefix_with_and_without_arguments(caplog):
    log = logging.getLogger("test.node_log")
    caplog.set_level(logging.INFO, logger="test.node_log")
    node_log(log, "a%b").info("started (%d%%)", 5)
    node_log(log, "a%b", mac="52:54:00:00:00:01").warning("100% done")
    assert [r.getMessage() for r in caplog.records] == [
        "[node a%b] started (5%)", "[node a%b MAC 52:54:00:00:00:01] 100% done"]
    assert caplog.records[0].name == "test.node_log"
    assert caplog.records[1].levelno == logging.WARNING


def test_exception_info_passes_through(caplog):
    log = logging.getLogger("test.node_log")
    try:
        raise ValueError("boom")
    except ValueError:
        node_log(log, "n1").exception("failed")
    assert caplog.records[-1].exc_info[1].args == ("boom",)
