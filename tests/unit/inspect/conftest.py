"""Fixtures for the inspect interface tests."""

import warnings

# Ironic 39 still imports eventlet (through futurist), which warns once at import;
# import it here with only that warning silenced, so warnings stay errors elsewhere.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import ironic.conductor.periodics  # noqa: F401
    import ironic.drivers.modules.inspector.interface  # noqa: F401
