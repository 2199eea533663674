"""What ``discoverd/ironic.py`` takes from openstacksdk's private API.

``IronicClient._rest`` sends the hot-path requests itself (no resource objects) but
with openstacksdk's own microversion (``Resource._get_microversion``) and its retry
list for a locked node or an unavailable service (``baremetal.v1._common.
RETRIABLE_STATUS_CODES``). These tests fail, naming what changed, when openstacksdk
renames or reshapes either.
"""

import inspect

from openstack.baremetal.v1 import _common
from openstack.baremetal.v1.node import Node
from openstack.baremetal.v1.port import Port

REVISIT = "revisit IronicClient._microversion/_rest in discoverd/ironic.py"


def test_retriable_status_codes_still_name_locked_and_unavailable():
    codes = getattr(_common, "RETRIABLE_STATUS_CODES", None)
    assert codes is not None, (
        "openstacksdk removed openstack.baremetal.v1._common.RETRIABLE_STATUS_CODES; "
        + REVISIT)
    assert {409, 503} <= set(codes), (
        f"openstacksdk's RETRIABLE_STATUS_CODES is now {codes!r}, without 409 (node "
        f"locked) or 503; " + REVISIT)


def test_get_microversion_is_a_classmethod_taking_the_session():
    for resource in (Node, Port):
        method = getattr(resource, "_get_microversion", None)
        assert method is not None, (
            f"openstacksdk removed {resource.__name__}._get_microversion; " + REVISIT)
        assert inspect.ismethod(method), (
            f"{resource.__name__}._get_microversion is no longer a classmethod; " + REVISIT)
        params = list(inspect.signature(method).parameters)
        assert params[:1] == ["session"] and all(
            p.default is not inspect.Parameter.empty
            for p in list(inspect.signature(method).parameters.values())[1:]), (
            f"{resource.__name__}._get_microversion now takes {params}; " + REVISIT)
