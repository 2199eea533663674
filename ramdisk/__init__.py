"""The node-side agent of ironic-tripleo: discovery mode (and, later, deploy mode)."""
