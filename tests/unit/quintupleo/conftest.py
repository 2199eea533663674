"""Ironic 39 imports eventlet, which warns once at import: import it here with only
that warning silenced, so warnings stay errors in the tests."""

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import ironic.conductor.task_manager  # noqa: F401
