"""The ironic-inspector v1 REST API, one blueprint per resource."""
