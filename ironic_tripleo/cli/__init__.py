"""The ``ironic-tripleo`` command line: one module per sub-command."""
