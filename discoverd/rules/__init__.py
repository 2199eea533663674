"""Introspection rules: conditions over the node and data, actions on the node."""
