"""The lab: real Ironic plus virtual nodes (namespaces, disks) behind virtual BMCs."""
