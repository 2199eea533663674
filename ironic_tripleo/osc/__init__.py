"""OpenStackClient plugin: TripleO's ``openstack overcloud node|profiles`` commands."""
