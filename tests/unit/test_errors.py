"""The templated exception base every package's errors share."""

import pytest

from ahc_rules.exception import AhcError
from baremetal_common.errors import TemplatedError
from discoverd.exception import DiscoverdError
from ironic_tripleo.exception import TripleOError


class NodeMissing(TemplatedError):
    message = "node %(node)s not found"


@pytest.mark.parametrize("base", [TripleOError, DiscoverdError, AhcError])
def test_every_package_base_is_templated(base):
    assert issubclass(base, TemplatedError)
    error = type("Sample", (base,), {"message": "bad %(field)s: %(value)r"})(
        field="port", value=70000)
    assert str(error) == "bad port: 70000"
    assert error.kwargs == {"field": "port", "value": 70000}


def test_given_text_wins_and_no_arguments_give_the_template():
    assert str(NodeMissing("explicit text", node="n1")) == "explicit text"
    assert str(NodeMissing()) == "node %(node)s not found"


def test_a_template_that_does_not_fit_its_arguments_still_reads():
    error = NodeMissing(nod="n1")  # misspelt field: no second exception
    assert str(error) == "node %(node)s not found (nod='n1')"
