"""``make_task``: the little of an Ironic task (``TaskManager``) that our interfaces use,
for unit tests of the conductor-side interfaces (pyghmi, Nova).
"""

import types
import warnings
from unittest import mock

# Ironic 39 still imports eventlet (through futurist), which warns once at import;
# import it here with only that warning silenced, so warnings stay errors elsewhere.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import ironic.conductor.task_manager  # noqa: F401

DRIVER_INFO = {"ipmi_address": "127.0.0.1", "ipmi_port": "6230",
               "ipmi_username": "admin", "ipmi_password": "s3cr3t-pw"}


def make_task(driver_info=None, uuid="1be26c0b-03f2-4d2e-ae87-c02d7f33c123"):
    """The little of an Ironic task that the interfaces use."""
    node = types.SimpleNamespace(uuid=uuid, name=None, driver="tripleo-ipmi",
                                 driver_info=dict(DRIVER_INFO if driver_info is None
                                                  else driver_info))
    task = mock.Mock(spec=ironic.conductor.task_manager.TaskManager)
    task.node, task.shared, task.context = node, False, mock.Mock()
    return task
