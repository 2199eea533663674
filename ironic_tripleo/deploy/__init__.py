"""The ``iscsi`` deploy: image pipeline (fetch, cache, verify, inspect) and writers.

Library code here takes plain arguments; only ``interface.py`` reads CONF.
"""
