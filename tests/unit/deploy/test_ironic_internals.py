"""What ``deploy/interface.py`` relies on when it skips part of Ironic's MRO.

``ISCSIDeploy`` derives from ``agent.CustomAgentDeploy`` but calls
``base.DeployInterface``'s ``get_deploy_steps``, ``execute_deploy_step`` and
``get_clean_steps`` directly: the agent classes' versions ask the ramdisk for in-band
steps, which ours does not have. These tests fail, naming what changed, when Ironic
moves the classes or changes what the base versions do.
"""

import inspect
import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    from ironic.drivers import base
    from ironic.drivers.modules import agent

from ironic_tripleo.deploy.interface import ISCSIDeploy

REVISIT = "revisit the skipped MRO in ironic_tripleo/deploy/interface.py"


def test_base_deploy_interface_still_below_the_agent_classes():
    mro = ISCSIDeploy.__mro__
    assert base.DeployInterface in mro and agent.CustomAgentDeploy in mro, (
        f"Ironic changed the deploy class hierarchy ({[c.__name__ for c in mro]}); "
        + REVISIT)
    assert mro.index(agent.CustomAgentDeploy) < mro.index(base.DeployInterface), REVISIT


def test_base_versions_only_report_and_run_our_own_steps():
    expected = {
        "get_deploy_steps": "return self.deploy_steps",
        "get_clean_steps": "return self.clean_steps",
        "execute_deploy_step": "return self._execute_step(task, step)",
    }
    for name, body in expected.items():
        method = getattr(base.DeployInterface, name)
        source = inspect.getsource(method)
        assert body in source, (
            f"Ironic's base.DeployInterface.{name} no longer does '{body}' (it may now "
            f"ask the agent for in-band steps, or need more than the task); " + REVISIT)
        params = list(inspect.signature(method).parameters)
        assert params[:2] == ["self", "task"], (
            f"base.DeployInterface.{name} now takes {params}; " + REVISIT)


def test_our_methods_are_the_ones_calling_the_base_versions():
    for name in ("get_deploy_steps", "execute_deploy_step", "get_clean_steps"):
        source = inspect.getsource(getattr(ISCSIDeploy, name))
        assert f"base.DeployInterface.{name}(self" in source, name
