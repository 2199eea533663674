"""Make (and remove) a virtual TripleO environment: Nova servers as bare-metal nodes.

``build`` checks every name first (cloud, flavor, image, network, free server names)
and creates nothing when one is wrong; then it creates the servers, waits until
they are ACTIVE, powers them off (a node is enrolled off) and returns the
``instackenv.json`` document in TripleO's current format (a ``ports`` list), with
either ``pm_type: tripleo-nova`` (Ironic drives Nova directly) or the virtual BMC's
IPMI addresses, plus then the virtual BMC's config for ``ironic-tripleo bmc serve``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

import tenacity

from ironic_tripleo.quintupleo.clouds import Cloud
from ironic_tripleo.quintupleo.exception import BuildError, QuintupleOError, ServerNotFound
from ironic_tripleo.quintupleo.server import NovaServer, ServerSettings

LOG = logging.getLogger(__name__)

#: metadata marking the servers build-nodes made (delete-nodes only removes those)
MARK_KEY = "tripleo:quintupleo"
PHYSNET = "ctlplane"


@dataclasses.dataclass(frozen=True)
class BuildRequest:
    """What to build.

    :param bmc_address: with ``bmc_base_port``, describe nodes by the virtual BMC
        (pm_type ipmi, one port each from the base) instead of ``tripleo-nova``.
    """

    count: int
    flavor: str
    image: str
    network: str | None = None
    prefix: str = "quintupleo"
    arch: str = "x86_64"
    boot_method: str = "metadata"
    rescue_image: str | None = None
    bmc_address: str | None = None
    bmc_base_port: int = 6230
    bmc_username: str = "admin"
    bmc_password: str = dataclasses.field(default="password", repr=False)
    create_timeout: float = 300.0
    #: servers created at once (each batch waited ACTIVE before the next)
    batch: int = 4

    def names(self) -> list[str]:
        return [f"{self.prefix}-{i}" for i in range(self.count)]


@dataclasses.dataclass(frozen=True)
class Resolved:
    flavor: Any
    image: Any
    network: Any | None


def resolve(cloud: Cloud, request: BuildRequest) -> Resolved:
    """Look up every name and check no server already has one of the node names.

    :raises BuildError: naming every bad name at once; nothing is created.
    """
    if request.count < 1:
        raise BuildError(reason=f"--count {request.count} must be at least 1")
    if request.batch < 1:
        raise BuildError(reason=f"--batch {request.batch} must be at least 1")
    problems: list[str] = []

    def find(what: str, name: str, lookup: Callable[[Any], Any]) -> Any:
        found = cloud.call(name, f"find {what}", lookup)
        if found is None:
            problems.append(f"{what} {name!r} does not exist on cloud {cloud.label}")
        return found

    flavor = find("flavor", request.flavor,
                  lambda c: c.compute.find_flavor(request.flavor, ignore_missing=True))
    image = find("image", request.image,
                 lambda c: c.image.find_image(request.image, ignore_missing=True))
    network = None
    if request.network:
        network = find("network", request.network,
                       lambda c: c.network.find_network(request.network,
                                                        ignore_missing=True))
    if request.boot_method == "rescue":
        if not request.rescue_image:
            problems.append("boot method rescue needs an iPXE rescue image")
        else:
            find("rescue image", request.rescue_image,
                 lambda c: c.image.find_image(request.rescue_image, ignore_missing=True))
    taken = {s.name for s in cloud.call(request.prefix, "list servers",
                                        lambda c: list(c.compute.servers()))}
    clash = [n for n in request.names() if n in taken]
    if clash:
        problems.append(f"servers named {', '.join(clash)} already exist: choose another "
                        "--prefix or run delete-nodes")
    if problems:
        raise BuildError(reason="; ".join(problems) + "; nothing was created")
    return Resolved(flavor, image, network)


def _create(cloud: Cloud, request: BuildRequest, found: Resolved) -> list[Any]:
    """Create the servers ``request.batch`` at a time, each batch waited ACTIVE."""
    networks: Any = [{"uuid": found.network.id}] if found.network is not None else "none"
    names = request.names()
    ready = []
    for start in range(0, len(names), request.batch):
        batch = []
        for name in names[start:start + request.batch]:
            LOG.info("creating server %s on %s", name, cloud.label)
            batch.append(cloud.call(name, "create", lambda c, n=name: c.compute.create_server(
                name=n, flavor_id=found.flavor.id, image_id=found.image.id,
                networks=networks, metadata={MARK_KEY: request.prefix})))
        ready.extend(_wait_active(cloud, server, request.create_timeout) for server in batch)
    return ready


def _wait_active(cloud: Cloud, server: Any, timeout: float) -> Any:
    try:
        return cloud.call(server.name, "wait for ACTIVE",
                          lambda c: c.compute.wait_for_server(
                              server, status="ACTIVE", failures=["ERROR"], interval=1,
                              wait=timeout))
    except QuintupleOError as exc:
        failed = cloud.call(server.name, "get", lambda c: c.compute.get_server(server.id))
        fault = (failed.fault or {}).get("message") or exc
        raise BuildError(reason=f"server {server.name} is {failed.status}, not ACTIVE: "
                                f"{fault}") from exc


def build(cloud: Cloud, request: BuildRequest,
          settings: ServerSettings | None = None) -> tuple[dict, dict | None]:
    """Create the servers, power them off, describe them.

    :returns: (instackenv document, virtual BMC config or None).
    :raises BuildError: on a bad name (before anything is created).
    :raises QuintupleOError: when the cloud fails while building; the servers made
        so far are left for :func:`delete`.
    """
    found = resolve(cloud, request)
    servers = _create(cloud, request, found)
    settings = settings or ServerSettings(state_timeout=request.create_timeout)
    for server in servers:
        NovaServer(cloud, server.id, settings).power_off()
    nodes, bmc_nodes = [], []
    for index, server in enumerate(servers):
        macs = [p.mac_address for p in cloud.call(
            server.name, "list ports",
            lambda c, s=server: list(c.network.ports(device_id=s.id)))] \
            if found.network is not None else []
        node: dict[str, Any] = {
            "name": server.name,
            "ports": [{"address": mac, "physical_network": PHYSNET} for mac in sorted(macs)],
            "cpu": found.flavor.vcpus, "memory": found.flavor.ram,
            "disk": found.flavor.disk, "arch": request.arch,
        }
        if request.bmc_address:
            port = request.bmc_base_port + index
            node.update(pm_type="ipmi", pm_addr=request.bmc_address, pm_port=port,
                        pm_user=request.bmc_username, pm_password=request.bmc_password)
            bmc_nodes.append({
                "name": server.name, "address": request.bmc_address, "port": port,
                "username": request.bmc_username, "password": request.bmc_password,
                "backend": "nova",
                "backend_args": {"server": server.id, "cloud": cloud.spec.name,
                                 "boot_method": request.boot_method,
                                 **({"rescue_image": request.rescue_image}
                                    if request.rescue_image else {}),
                                 **({"clouds_file": cloud.settings.clouds_file}
                                    if cloud.settings.clouds_file else {})}})
        else:
            node.update(pm_type="tripleo-nova", pm_addr=cloud.spec.name,
                        pm_system_id=server.id)
        nodes.append(node)
    bmc = {"nodes": bmc_nodes} if request.bmc_address else None
    return {"nodes": nodes}, bmc


def delete(cloud: Cloud, prefix: str, timeout: float = 120.0) -> list[str]:
    """Delete the servers build-nodes made with ``prefix``; return their names.

    Only servers carrying build-nodes' mark for that prefix are touched.
    """
    servers = [s for s in cloud.call(prefix, "list servers",
                                     lambda c: list(c.compute.servers()))
               if (s.metadata or {}).get(MARK_KEY) == prefix]
    for server in servers:
        LOG.info("deleting server %s on %s", server.name, cloud.label)
        try:
            cloud.call(server.name, "delete",
                       lambda c, s=server: c.compute.delete_server(s.id))
        except ServerNotFound:
            pass  # deleted meanwhile: what we wanted
    for server in servers:
        _wait_deleted(cloud, server, timeout)
        cloud.forget(server.name)
    return sorted(s.name for s in servers)


#: deletes asked of one server in all: Nova may fail one (its vm_state then goes to
#: ERROR, e.g. a database busy in the cloud) and accepts a delete of an ERROR server.
DELETE_ATTEMPTS = 3


def _wait_deleted(cloud: Cloud, server: Any, timeout: float) -> None:
    """Wait until ``server`` is gone, asking again when Nova failed its delete.

    :raises BuildError: still there after ``timeout`` seconds, or after
        ``DELETE_ATTEMPTS`` failed deletes (naming Nova's fault).
    """
    asked = [1]

    def gone() -> bool:
        try:
            current = cloud.call(server.name, "get",
                                 lambda c: c.compute.get_server(server.id))
        except ServerNotFound:
            return True
        if current.status == "ERROR" and not current.task_state:
            fault = (current.fault or {}).get("message") or "no fault recorded"
            if asked[0] >= DELETE_ATTEMPTS:
                raise BuildError(reason=f"Nova failed to delete server {server.name} "
                                        f"{asked[0]} times: {fault}")
            asked[0] += 1
            LOG.warning("Nova failed to delete server %s (%s); asking again",
                        server.name, fault)
            cloud.call(server.name, "delete", lambda c: c.compute.delete_server(server.id))
        return False

    try:
        tenacity.Retrying(stop=tenacity.stop_after_delay(timeout),
                          wait=tenacity.wait_fixed(1),
                          retry=tenacity.retry_if_result(lambda done: not done))(gone)
    except tenacity.RetryError:
        raise BuildError(reason=f"server {server.name} still exists {timeout:.0f}s after "
                                f"its delete on cloud {cloud.label}") from None
