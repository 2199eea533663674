"""The virtual BMC's ``nova`` backend: IPMI commands onto a Nova server.

As OVB's ``openstackbmc``, but many servers from one ``ironic-tripleo bmc serve``
process, each on its own port and credentials, and through the same mapping as
the ``tripleo-nova`` hardware type (:class:`~ironic_tripleo.quintupleo.server.NovaServer`).
All nodes of a process with the same cloud settings share one connection per cloud.

Config (``backend_args`` of a node in the virtual BMC's config file)::

    backend: nova
    backend_args:
      server: overcloud-node-0        # name or ID
      cloud: quintupleo               # clouds.yaml entry (or auth_url, username,
                                      # password, project_name [, *_domain_name])
      clouds_file: /etc/openstack/clouds.yaml   # optional
      boot_method: metadata           # or rescue (then rescue_image: ipxe-image)

An IPMI power request returns once Nova accepted it (a real BMC does not wait for
the machine either); a power reading waits out a running task for at most
``busy_timeout`` seconds, then fails (the console sees an error, never a guess).
"""

from __future__ import annotations

import threading

from ironic_tripleo.quintupleo import driver_info
from ironic_tripleo.quintupleo.clouds import CloudRegistry, CloudSettings
from ironic_tripleo.quintupleo.power_states import Power
from ironic_tripleo.quintupleo.server import NovaServer, ServerSettings
from ironic_tripleo.vbmc.backend import BootDevice, NodeBackend, PowerState

_registries: dict[CloudSettings, CloudRegistry] = {}
_registries_lock = threading.Lock()


def shared_registry(settings: CloudSettings) -> CloudRegistry:
    """The process's registry for ``settings``: backends in one process share it."""
    with _registries_lock:
        registry = _registries.get(settings)
        if registry is None:
            registry = _registries[settings] = CloudRegistry(settings)
        return registry


class NovaBackend(NodeBackend):
    """One Nova server behind one virtual BMC.

    :param server: the server's name or ID.
    :param cloud: clouds.yaml entry; or ``auth_url``, ``username``, ``password``,
        ``project_name``, ``user_domain_name``, ``project_domain_name``.
    :param region_name: optional region.
    :param clouds_file: clouds.yaml to read (default: openstacksdk's places).
    :param boot_method: ``metadata`` or ``rescue``.
    :param rescue_image: the iPXE image for ``rescue``.
    :param busy_timeout: seconds a request may wait for a running task to end.
    :param poll_interval: seconds between readings while waiting.
    :param api_timeout: seconds per HTTP request to the cloud.
    :param max_concurrent_calls: calls in flight per cloud from this process.
    :param status_cache_ttl: seconds a reading may be reused (0: never).
    :param registry: the registry to use (tests); default one per process.
    :raises InvalidNovaInfo: naming each missing or malformed argument.
    """

    def __init__(self, server: str, cloud: str | None = None, *,
                 auth_url: str | None = None, username: str | None = None,
                 password: str | None = None, project_name: str | None = None,
                 user_domain_name: str | None = None,
                 project_domain_name: str | None = None, region_name: str | None = None,
                 clouds_file: str | None = None, boot_method: str = "metadata",
                 rescue_image: str | None = None, busy_timeout: float = 10.0,
                 poll_interval: float = 0.5, api_timeout: float = 10.0,
                 max_concurrent_calls: int = 8, status_cache_ttl: float = 0.0,
                 registry: CloudRegistry | None = None) -> None:
        fields = {"server": server, "cloud": cloud, "auth_url": auth_url,
                  "username": username, "password": password,
                  "project_name": project_name, "user_domain_name": user_domain_name,
                  "project_domain_name": project_domain_name, "region_name": region_name}
        target = driver_info.parse({f"nova_{k}": v for k, v in fields.items()
                                    if v is not None}, node=f"nova backend {server!r}")
        settings = CloudSettings(api_timeout=api_timeout,
                                 max_concurrent_calls=max_concurrent_calls,
                                 status_cache_ttl=status_cache_ttl, clouds_file=clouds_file)
        if registry is None:
            registry = shared_registry(settings)
        self.server = NovaServer(registry.get(target.cloud), target.server,
                                 ServerSettings(state_timeout=busy_timeout,
                                                poll_interval=poll_interval,
                                                boot_method=boot_method,
                                                rescue_image=rescue_image))

    def __repr__(self) -> str:
        return f"NovaBackend({self.server!r})"

    def get_power_state(self) -> PowerState:
        return PowerState.ON if self.server.get_power() is Power.ON else PowerState.OFF

    def power_on(self) -> None:
        self.server.power_on(wait=False)

    def power_off(self) -> None:
        self.server.power_off(wait=False)

    def soft_off(self) -> None:
        self.server.power_off(wait=False)  # Nova's stop is a clean shutdown first

    def reset(self) -> None:
        self.server.reboot(soft=False, wait=False)

    def get_boot_device(self) -> tuple[BootDevice, bool]:
        return BootDevice(self.server.get_boot_device()), True

    def set_boot_device(self, device: BootDevice, persistent: bool) -> None:
        self.server.set_boot_device(BootDevice(device).value)
