"""Enrollment of nodes into Ironic from a TripleO inventory (instackenv.json / YAML)."""
