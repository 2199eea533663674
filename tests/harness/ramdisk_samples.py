"""Recorded samples from real machines for the ramdisk agent's unit tests.

``DATA`` is ``tests/unit/ramdisk/data/`` (dmesg, dmidecode, lshw, udev dumps, a
recorded lab payload, ...); ``read_data(name)`` is a sample's text;
``udev_properties(name)`` parses a recorded ``udevadm info --query=property`` dump.
"""

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "unit" / "ramdisk" / "data"


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
