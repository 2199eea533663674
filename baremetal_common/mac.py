"""MAC addresses: the one parser of the conductor plugins, discoverd and the ahc tools.

(The ramdisk agent ships alone in its image and keeps its own, ``ramdisk.cmdline``.)
"""

from __future__ import annotations

_HEX_BYTES = frozenset(f"{i:02x}" for i in range(256))


def normalize_mac(value: object, pxe_form: bool = False) -> str | None:
    """Return ``value`` as ``aa:bb:cc:dd:ee:ff`` (any case, surrounding blanks ignored),
    or None when it is not a MAC address.

    :param pxe_form: also accept ``-`` separators and the PXE form
        ``01-aa-bb-cc-dd-ee-ff`` that some ramdisks send as their boot interface.
    """
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if pxe_form:
        text = text.replace("-", ":")
    parts = text.split(":")
    if pxe_form and len(parts) == 7 and parts[0] == "01":
        parts = parts[1:]
    if len(parts) != 6 or not all(part in _HEX_BYTES for part in parts):
        return None
    return ":".join(parts)
