"""A real Ironic 39 with Ironic's fakes enabled gives ``tripleo-ipmi`` nodes our interfaces.

The conductor enables ``fake-hardware`` (and so the ``fake`` interfaces) beside
``tripleo-ipmi``, listing the fakes first, as devstack and many test clouds do. A
``tripleo-ipmi`` node created without naming interfaces must still get what a
production node needs (the product hardware type lists no fake interface).
"""

import requests

from ironic_tripleo.lab.ironic_service import API_VERSION_HEADER

FAKES_FIRST = dict(
    hardware_types=("fake-hardware", "tripleo-ipmi"),
    power_interfaces=("fake", "pyghmi"), management_interfaces=("fake", "pyghmi"),
    boot_interfaces=("fake", "ipxe", "pxe"), deploy_interfaces=("fake", "direct", "iscsi"),
    inspect_interfaces=("fake", "no-inspect", "agent", "discoverd"),
    vendor_interfaces=("fake", "no-vendor"))


def test_tripleo_ipmi_node_gets_our_defaults_next_to_fake_hardware(ironic_factory):
    ironic = ironic_factory(**FAKES_FIRST)
    created = requests.post(f"{ironic.url}/v1/nodes", headers=API_VERSION_HEADER, json={
        "driver": "tripleo-ipmi", "name": "defaults-probe",
        "driver_info": {"ipmi_address": "198.51.100.7"}}, timeout=30)
    assert created.status_code == 201, created.text
    node = created.json()
    assert node["power_interface"] == "pyghmi"
    assert node["management_interface"] == "pyghmi"
    assert node["deploy_interface"] == "iscsi"
    assert node["inspect_interface"] == "discoverd"
    assert node["boot_interface"] == "pxe"
    assert node["vendor_interface"] == "no-vendor"
    # a fake cannot even be asked for: the product type does not support it
    refused = requests.patch(f"{ironic.url}/v1/nodes/{node['uuid']}",
                             headers=API_VERSION_HEADER, timeout=30, json=[
                                 {"op": "replace", "path": "/deploy_interface",
                                  "value": "fake"}])
    assert refused.status_code == 400, refused.text
    # while fake-hardware nodes of the same conductor keep Ironic's fakes
    fake = requests.post(f"{ironic.url}/v1/nodes", headers=API_VERSION_HEADER, timeout=30,
                         json={"driver": "fake-hardware"}).json()
    assert (fake["deploy_interface"], fake["power_interface"]) == ("fake", "fake")

