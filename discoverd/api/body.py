"""A request's JSON body, decoded once and checked at the edge.

Python's ``json`` accepts what breaks everything behind it: lone UTF-16
surrogates (``"\\ud800"``: no UTF-8 encoder, database or Ironic takes them), NUL
characters (PostgreSQL text columns refuse them),
``NaN``/``Infinity`` and ``1e400`` (not JSON numbers), integers no database column
or Ironic field holds, and nesting up to the interpreter's recursion limit (then a
``RecursionError`` in the parser, in jsonschema or in ``copy.deepcopy``). The
checks here are iterative (an explicit stack, no recursion) and name the JSON path
of the first bad value, so that nothing behind the API ever meets such a value.
"""

import json
import math
from typing import Any

import flask

from discoverd import exception

#: Deepest nesting accepted in a request body (the body itself is level 1). Anything
#: discoverd writes to a node then stays within Ironic's ``[api]
#: max_json_body_depth`` (25): a fact value sits 3 levels deep in the ramdisk payload
#: and 5 levels deep in the JSON patch of ``extra/hardware``.
MAX_DEPTH = 20
#: Integers must fit a signed 64-bit column.
MAX_INT = 2 ** 63 - 1


def pointer(path: list[str | int]) -> str:
    """``['inventory', 'disks', 0]`` -> ``inventory/disks/0`` (``(body)`` for the root)."""
    return "/".join(str(p) for p in path) or "(body)"


def _text_problem(where: str, text: str) -> str | None:
    """Lone surrogates (no UTF-8 encoding) and NUL (PostgreSQL text cannot hold it)."""
    if "\x00" in text:
        return f"{where} contains a NUL character (\\u0000), which cannot be stored"
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        bad = next(c for c in text if 0xD800 <= ord(c) <= 0xDFFF)
        return (f"{where} contains a lone UTF-16 surrogate (\\u{ord(bad):04x}), which "
                f"is not a character; send valid UTF-8 text")
    return None


def problem(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """Return what is wrong with a decoded JSON value, or None.

    Checks, without recursion: nesting depth, lone surrogates and NUL in strings and
    keys, integers outside a signed 64-bit range, non-finite floats.
    """
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict | list):
            if len(path) + 1 > max_depth:
                return (f"{pointer(path)} is nested deeper than the limit of {max_depth} "
                        f"levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    reason = _text_problem(f"a key in {pointer(path)}", key)
                    if reason:
                        return reason
                    stack.append((child, [*path, key]))
            else:
                stack.extend((child, [*path, index]) for index, child in enumerate(item))
        elif isinstance(item, str):
            reason = _text_problem(pointer(path), item)
            if reason:
                return reason
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not -MAX_INT - 1 <= item <= MAX_INT:
                return (f"{pointer(path)} = {item} is outside the signed 64-bit integer "
                        f"range")
        elif isinstance(item, float) and not math.isfinite(item):
            return f"{pointer(path)} = {item} is not a finite JSON number"
    return None


def decode(raw: bytes) -> Any:
    """Parse a JSON document (UTF-8, -16 or -32).

    :raises InvalidInput: when it is not JSON or is nested too deeply for the parser.
    """
    try:
        return json.loads(raw)  # NaN, Infinity: floats that ``problem`` names
    except RecursionError:
        raise exception.InvalidInput(
            reason=f"the request body is nested deeper than the limit of {MAX_DEPTH} "
                   f"levels") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, digit limit
        raise exception.InvalidInput(reason=f"the request body is not valid JSON: {exc}"
                                     ) from None


def request_json() -> Any:
    """The current request's JSON body, decoded but not yet checked by ``problem``.

    :raises InvalidInput: when it is not a JSON request or not JSON.
    :raises RequestEntityTooLarge: beyond ``[DEFAULT] max_content_length``.
    """
    if not flask.request.is_json:
        raise exception.InvalidInput(
            reason="the request body must be JSON (Content-Type: application/json)")
    return decode(flask.request.get_data(cache=False))


def json_body() -> Any:
    """The current request's JSON body, checked.

    :raises InvalidInput: naming the bad value and the limit it breaks.
    """
    value = request_json()
    reason = problem(value)
    if reason:
        raise exception.InvalidInput(reason=reason)
    return value
