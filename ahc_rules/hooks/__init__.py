"""Inspection hooks that run role matching."""
