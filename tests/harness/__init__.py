"""Test harness: helpers shared by test modules, one module per concept.

Test modules and conftest files import helpers and fixtures from here, never
from one another (see HACKING.md, "Fixtures and harnesses to reuse").
"""
