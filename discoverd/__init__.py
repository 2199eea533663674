"""discoverd: the inspector service (ironic-inspector v1 API) of ironic-tripleo."""
