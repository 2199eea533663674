"""field_problems.raise_problems: one wording of driver_info problems."""

import pytest

from ironic_tripleo.exception import InvalidDriverInfo
from ironic_tripleo.field_problems import raise_problems


def test_nothing_wrong_raises_nothing():
    raise_problems(InvalidDriverInfo, "n", [], [])


def test_malformed_then_missing_fields():
    with pytest.raises(InvalidDriverInfo) as err:
        raise_problems(InvalidDriverInfo, "n", ["a", "b"], ["c is bad"])
    assert str(err.value) == "Node n: driver_info c is bad; missing a, b"
    assert err.value.kwargs["missing_only"] is False


def test_only_missing():
    with pytest.raises(InvalidDriverInfo) as err:
        raise_problems(InvalidDriverInfo, "n", ["a"], [])
    assert err.value.kwargs["missing_only"] is True
