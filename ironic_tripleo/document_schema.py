"""The JSON-schema validator for documents people write (instackenv, vBMC config).

Draft 2020-12, except that an integer is an ``int``: JSON Schema counts ``2.0`` as
an integer, and a port or a CPU count of ``2.0`` in a hand-written file is a
mistake to report, not a number to take.
"""

from __future__ import annotations

from typing import Any

import jsonschema
from jsonschema.protocols import Validator


def _integer(checker: Any, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


StrictValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _integer))


def validator(schema: dict[str, Any]) -> Validator:
    """A validator of ``schema`` (checked first: a bad schema fails at import)."""
    StrictValidator.check_schema(schema)
    return StrictValidator(schema)
