"""Safe parsing of SpinalStack/ahc-match rule files: ``.specs``, ``state``, ``.cmdb``.

The files are Python literals, as ``hardware.state`` reads them, but nothing here
calls ``eval``: the text is parsed with :mod:`ast`, every node is checked against a
whitelist (strings, numbers, lists, tuples, dicts, and in cmdb files one
``generate({...})`` call), and the value is rebuilt from the checked tree. Any
error names the file, the line and the offending token.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from typing import Any

from hardware import generate as hw_generate

from ahc_rules.exception import RuleFileError, UnsafeRuleError

#: Role names become file names (``<role>.specs``): keep them boring.
ROLE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: ``generate`` expands ``1-10`` style ranges; refuse ranges that would eat memory.
MAX_RANGE_SPAN = 100_000
_RANGE_RE = re.compile(r"([0-9]+)-([0-9]+)")
_TOKEN_MAX = 60


@dataclasses.dataclass(frozen=True)
class SpecLine:
    """One ``(class, name, key, value)`` requirement and where it was written."""

    fields: tuple[str, str, str, str]
    filename: str
    line: int

    def __str__(self) -> str:
        return repr(self.fields)


@dataclasses.dataclass(frozen=True)
class StateEntry:
    """One ``(role, count)`` entry of a state file; ``count`` None means ``'*'``."""

    role: str
    count: int | None
    line: int


def _token(text: str, node: ast.AST) -> str:
    segment = ast.get_source_segment(text, node) or type(node).__name__
    segment = " ".join(segment.split())
    if len(segment) > _TOKEN_MAX:
        segment = segment[: _TOKEN_MAX - 3] + "..."
    return repr(segment)


class _Converter:
    """Rebuild a Python value from a checked AST; refuse anything but literals."""

    def __init__(self, text: str, filename: str, allow_generate: bool) -> None:
        self.text = text
        self.filename = filename
        self.allow_generate = allow_generate

    def unsafe(self, node: ast.AST, extra: str = "") -> UnsafeRuleError:
        return UnsafeRuleError(filename=self.filename, line=getattr(node, "lineno", 1),
                               near=_token(self.text, node), extra=extra)

    def error(self, node: ast.AST, reason: str) -> RuleFileError:
        return RuleFileError(filename=self.filename, line=getattr(node, "lineno", 1),
                             near=_token(self.text, node), reason=reason)

    def convert(self, node: ast.AST, top: bool = False) -> Any:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (str, int, float)) and not isinstance(node.value, bool):
                return node.value
            raise self.unsafe(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            if isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float):
                value = node.operand.value
                return -value if isinstance(node.op, ast.USub) else value
            raise self.unsafe(node)
        if isinstance(node, ast.List):
            return [self.convert(elt) for elt in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(self.convert(elt) for elt in node.elts)
        if isinstance(node, ast.Dict):
            if any(key is None for key in node.keys):
                raise self.unsafe(node)
            return {self.convert(k): self.convert(v) for k, v in zip(node.keys, node.values,
                                                                     strict=True)}
        if isinstance(node, ast.Call) and self.allow_generate and top:
            return self.convert_generate(node)
        extra = " and one generate({...}) call" if self.allow_generate else ""
        raise self.unsafe(node, extra)

    def convert_generate(self, node: ast.Call) -> list[dict[str, Any]]:
        if not (isinstance(node.func, ast.Name) and node.func.id == "generate"):
            raise self.unsafe(node, " and one generate({...}) call")
        if node.keywords or len(node.args) != 1 or not isinstance(node.args[0], ast.Dict):
            raise self.error(node, "generate() takes exactly one dict literal")
        model = self.convert(node.args[0])
        for key, value in model.items():
            for match in _RANGE_RE.finditer(str(value)):
                span = abs(int(match.group(2)) - int(match.group(1)))
                if span > MAX_RANGE_SPAN:
                    raise self.error(node, f"range {match.group(0)!r} of {key!r} is wider "
                                           f"than {MAX_RANGE_SPAN}")
        return hw_generate.generate(model)


def parse_literal(text: str, filename: str, allow_generate: bool = False) -> tuple[Any, ast.AST]:
    """Parse ``text`` as one literal; return the value and its AST node.

    :param text: the file content.
    :param filename: used in error messages.
    :param allow_generate: accept a top-level ``generate({...})`` call (cmdb files).
    :raises RuleFileError: on a syntax error (naming the line and the token).
    :raises UnsafeRuleError: on anything that is not a literal.
    """
    try:
        tree = ast.parse(text, filename=filename, mode="eval")
    except SyntaxError as exc:
        line_text = (exc.text or "").rstrip("\n")
        offset = max((exc.offset or 1) - 1, 0)
        token = line_text[offset:offset + 20].split()[0] if line_text[offset:].strip() else ""
        raise RuleFileError(filename=filename, line=exc.lineno or 1, near=repr(token),
                            reason=f"syntax error: {exc.msg}") from None
    converter = _Converter(text, filename, allow_generate)
    return converter.convert(tree.body, top=True), tree.body


def _items(value: Any, node: ast.AST, conv: _Converter, what: str) -> list[tuple[Any, ast.AST]]:
    if not isinstance(value, (list, tuple)) or not isinstance(node, (ast.List, ast.Tuple)):
        raise conv.error(node, f"a {what} file must hold a list")
    return list(zip(value, node.elts, strict=True))


def parse_specs(text: str, filename: str) -> list[SpecLine]:
    """Parse a ``<role>.specs`` file: a list of 4-tuples of strings.

    Numbers are accepted and turned into strings (the matcher compares strings).

    :raises RuleFileError: on a syntax error, a non-list, a tuple that does not
        have 4 items, or an empty item.
    :raises UnsafeRuleError: on anything that is not a literal.
    """
    value, node = parse_literal(text, filename)
    conv = _Converter(text, filename, False)
    specs = []
    for item, item_node in _items(value, node, conv, "specs"):
        if not isinstance(item, (tuple, list)) or len(item) != 4:
            raise conv.error(item_node, "each spec must be a 4-tuple (class, name, key, value)")
        fields = []
        for field, field_node in zip(item, item_node.elts, strict=True):  # type: ignore[attr-defined]
            if not isinstance(field, (str, int, float)):
                raise conv.error(field_node, "spec items must be strings or numbers")
            field = str(field)
            if not field:
                raise conv.error(field_node, "empty string in a spec")
            fields.append(field)
        specs.append(SpecLine(tuple(fields), filename, item_node.lineno))  # type: ignore[arg-type]
    return specs


def parse_state(text: str, filename: str) -> list[StateEntry]:
    """Parse a ``state`` file: ``[('control', '3'), ('compute', '*')]``.

    :raises RuleFileError: on a bad role name, a bad count or a duplicate role.
    :raises UnsafeRuleError: on anything that is not a literal.
    """
    value, node = parse_literal(text, filename)
    conv = _Converter(text, filename, False)
    entries: list[StateEntry] = []
    seen: set[str] = set()
    for item, item_node in _items(value, node, conv, "state"):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise conv.error(item_node, "each state entry must be a pair (role, count)")
        role, count = item
        if not isinstance(role, str) or not ROLE_NAME_RE.match(role):
            raise conv.error(item_node, f"role name {role!r} must match {ROLE_NAME_RE.pattern}")
        if role in seen:
            raise conv.error(item_node, f"role {role!r} is listed twice")
        seen.add(role)
        if count == "*":
            number = None
        elif isinstance(count, int) or (isinstance(count, str) and count.isdigit()):
            number = int(count)
            if number < 0:
                raise conv.error(item_node, f"count {count!r} is negative")
        else:
            raise conv.error(item_node, f"count {count!r} must be '*' or a whole number")
        entries.append(StateEntry(role, number, item_node.lineno))
    return entries


def parse_cmdb(text: str, filename: str) -> list[dict[str, Any]]:
    """Parse a ``<role>.cmdb`` file: a list of dicts, or ``generate({...})``.

    ``generate`` is :func:`hardware.generate.generate` (``'host01-10'``,
    ``'10.0.0.1-10'`` ranges), called on a checked literal model.

    :raises RuleFileError: on a syntax error, a non-list or a non-dict entry.
    :raises UnsafeRuleError: on anything else than literals and ``generate``.
    """
    value, node = parse_literal(text, filename, allow_generate=True)
    conv = _Converter(text, filename, True)
    if isinstance(node, ast.Call):
        return [dict(entry) for entry in value]
    entries = []
    for item, item_node in _items(value, node, conv, "cmdb"):
        if not isinstance(item, dict):
            raise conv.error(item_node, "each cmdb entry must be a dict")
        entries.append(item)
    return entries
