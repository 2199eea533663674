import logging

from ramdisk import agent_log


def test_capture_is_bounded_and_archived():
    logger = logging.getLogger("ramdisk.test.capture")
    logger.propagate = False
    cap = agent_log.LogCapture(max_lines=3).install(logger)
    try:
        for i in range(5):
            logger.info("line %s", i)
    finally:
        cap.remove(logger)
        logger.propagate = True
    text = cap.text()
    assert "line 0" not in text and "line 4" in text
    assert len(text.splitlines()) == 3
    files = agent_log.unpack(agent_log.archive({"agent.log": text, "empty": ""}))
    assert files == {"agent.log": text, "empty": ""}


def test_empty_capture():
    assert agent_log.LogCapture().text() == ""
