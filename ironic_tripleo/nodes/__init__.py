"""Operator workflows over Ironic nodes (introspect, provide, configure, profiles).

Library code shared by the ``ironic-tripleo`` CLI and the OpenStackClient plugin
(``openstack overcloud node ...``); each takes an openstacksdk ``baremetal`` proxy.
"""
