"""Shared helpers for the ramdisk agent's unit tests: recorded sample data."""

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def read_data(name: str) -> str:
    """Return the text of a recorded sample under ``data/``."""
    return (DATA / name).read_text()


def udev_properties(name: str) -> dict[str, str]:
    """Parse a recorded ``udevadm info --query=property`` dump."""
    props = {}
    for line in read_data(name).splitlines():
        key, sep, value = line.partition("=")
        if sep:
            props[key] = value
    return props


@pytest.fixture
def data_dir() -> Path:
    return DATA
