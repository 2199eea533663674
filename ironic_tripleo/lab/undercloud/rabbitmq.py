"""RabbitMQ for the undercloud's RPC (oslo.messaging has no other inter-process driver).

The Debian ``rabbitmq-server`` (``scripts/install-system-packages.sh``), run by us
rather than by an init system: its own node name, AMQP port, distribution port and
``epmd`` on its own port (``ERL_EPMD_PORT``), its own mnesia, log and cookie under the
undercloud's directory, so several undercloud can share the machine. ``epmd`` is
started first in the foreground, so that it is one of our processes, stopped by pid.
The default ``guest`` user is used (loopback only).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ironic_tripleo.lab.exception import UndercloudError
from ironic_tripleo.lab.undercloud.plan import Plan
from ironic_tripleo.lab.undercloud.service import Proc, tcp_ready

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


def processes(plan: Plan) -> list[Proc]:
    """epmd, then the broker (ready when its AMQP port accepts)."""
    epmd = shutil.which("epmd")
    if not SERVER.exists() or epmd is None:
        raise UndercloudError(reason="RabbitMQ is not installed: run "
                                     "scripts/install-system-packages.sh")
    home = plan.root / "rabbitmq"
    home.mkdir(parents=True, exist_ok=True)
    conf = plan.etc("rabbitmq") / "rabbitmq.conf"
    conf.write_text(f"listeners.tcp.default = 127.0.0.1:{plan.ports['amqp']}\n"
                    "loopback_users.guest = true\n"
                    "log.console = false\n"
                    "disk_free_limit.absolute = 50MB\n")
    plugins = plan.etc("rabbitmq") / "enabled_plugins"
    plugins.write_text("[].\n")
    port = str(plan.ports["epmd"])
    env = {"HOME": str(home), "ERL_EPMD_PORT": port,
           "RABBITMQ_NODENAME": f"uc{plan.ports['amqp']}@localhost",
           "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
           "RABBITMQ_NODE_PORT": str(plan.ports["amqp"]),
           "RABBITMQ_DIST_PORT": str(plan.ports["rabbit_dist"]),
           "RABBITMQ_CONFIG_FILE": str(conf.with_suffix("")),
           "RABBITMQ_ENABLED_PLUGINS_FILE": str(plugins),
           "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
           "RABBITMQ_LOG_BASE": str(plan.logdir / "rabbitmq"),
           "RABBITMQ_PID_FILE": str(home / "rabbitmq.pid"),
           "RABBITMQ_ADVANCED_CONFIG_FILE": str(home / "advanced.config"),
           "RABBITMQ_CONF_ENV_FILE": str(home / "rabbitmq-env.conf")}
    return [
        Proc("epmd", [epmd, "-port", port, "-address", "127.0.0.1"], env=env,
             ready=tcp_ready(plan.ports["epmd"]), marker=f"-port {port}"),
        # the broker's argv names its mnesia directory, under the undercloud's root
        Proc("rabbitmq", [str(SERVER)], env=env, ready=tcp_ready(plan.ports["amqp"]),
             logs=(f"rabbitmq/{env['RABBITMQ_NODENAME']}.log",)),
    ]
