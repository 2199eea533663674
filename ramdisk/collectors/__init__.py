"""Hardware collectors of the discovery mode, one module each.

Each module has a ``collect(...)`` function that does the I/O and plain parsing
functions over text or dicts that the unit tests feed with recorded samples.
"""
