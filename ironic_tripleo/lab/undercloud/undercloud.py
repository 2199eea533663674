"""Bring an undercloud up, report on it and take it down, by pid.

``Undercloud(workdir).up()`` plans free ports and passwords, saves ``state.json``
*before* starting anything, then starts RabbitMQ, Keystone (bootstrap, service users,
catalog), Placement, Glance, Neutron, Nova (API, conductor, scheduler, computes) and
Heat (API, engine); each process is recorded as soon as it runs. Any failure stops
everything already started. ``down()`` stops every recorded process by pid (only if
its argv still carries the undercloud's marker); ``status()`` gives each one's state
and RSS. ``add_compute()`` starts one more nova-compute (e.g. the fake driver on its
own host) in a running undercloud.

With a lab in ``workdir`` (``lab.json``), the catalog gets ``baremetal`` and
``baremetal-introspection``, the lab's Ironic and discoverd are restarted behind
Keystone (``Lab.set_keystone``; ``down`` restarts them without authentication) and a
nova-compute drives the lab's Ironic. A lab brought up while an undercloud runs takes
``keystone_for_lab()`` and is put in the catalog by ``attach_lab`` (``detach_lab``
takes it out).
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from ironic_tripleo.lab import process
from ironic_tripleo.lab.exception import LabStateError, UndercloudError
from ironic_tripleo.lab.lab import Lab
from ironic_tripleo.lab.readiness import wait_until
from ironic_tripleo.lab.undercloud import (
    databases,
    glance,
    heat,
    keystone,
    neutron,
    nova,
    placement,
    rabbitmq,
    service,
    venv,
)
from ironic_tripleo.lab.undercloud.lab_ironic import keystone_record
from ironic_tripleo.lab.undercloud.plan import REGION, Plan
from ironic_tripleo.lab.undercloud.service import Proc

LOG = logging.getLogger(__name__)
CLOUD = "undercloud"
SYSTEM_CLOUD = "undercloud-system"
#: what each service module sets up before its processes start, in dependency order
PREPARED = (placement, glance, neutron, nova, heat)
START_TIMEOUT = 120.0


class Undercloud:
    """The undercloud in ``workdir/undercloud`` (over the lab in ``workdir``, if any)."""

    def __init__(self, workdir: Path | str) -> None:
        self.workdir = Path(workdir).resolve()
        self.root = self.workdir / "undercloud"

    # -- reading ----------------------------------------------------------------

    def plan(self) -> Plan | None:
        return Plan.load(self.root)

    @property
    def clouds_yaml(self) -> Path:
        return self.root / "clouds.yaml"

    def _lab(self) -> dict[str, str] | None:
        lab_file = self.workdir / "lab.json"
        if not lab_file.exists():
            return None
        lab = json.loads(lab_file.read_text())
        if lab.get("state") == "down":
            return None
        return {"ironic_url": lab["ironic_url"], "discoverd_url": lab.get("discoverd_url")}

    # -- up ---------------------------------------------------------------------

    def up(self, fake_computes: Iterable[str] = (), ironic: bool | None = None,
           ports: dict[str, int] | None = None, database: str = "sqlite",
           timeout: float = START_TIMEOUT, debug: bool = False) -> Plan:
        """Start everything; return the plan (ports, URLs, passwords).

        :param fake_computes: host names, one nova-compute with the fake driver each.
        :param ironic: run a nova-compute for the lab's Ironic (default: when there
            is a lab in ``workdir``).
        :param ports: fixed ports by name (``keystone``, ``nova``, ``amqp``...).
        :param database: ``sqlite`` (files under the undercloud's directory) or
            ``postgresql`` (its own PostgreSQL server, see ``databases.py``).
        :param debug: debug logging in Nova's logs.
        :raises UndercloudError: a port is taken, a service did not start; nothing
            that was started is left running.
        """
        old = self.plan()
        if old is not None and any(service.running(p["pid"], p["marker"])
                                   for p in old.processes.values()):
            raise UndercloudError(reason=f"one is already running in {self.root} "
                                         "('undercloud down' first)")
        lab = self._lab()
        if ironic and lab is None:
            raise UndercloudError(reason=f"no lab in {self.workdir}: nothing for the "
                                         "Ironic compute to drive ('lab up' first)")
        for name, port in (ports or {}).items():
            if service.port_taken(port):
                raise UndercloudError(reason=f"port {port} for {name} is already in "
                                             "use; choose another")
        self.root.mkdir(parents=True, exist_ok=True)
        if database not in databases.CHOICES:
            raise UndercloudError(reason=f"database {database!r} is not one of "
                                         f"{', '.join(databases.CHOICES)}")
        plan = Plan.new(self.root, venv.ensure(), lab, ports)
        plan.debug = debug
        plan.state = "starting"
        plan.save()
        try:
            self._start(plan, fake_computes, lab is not None if ironic is None else ironic,
                        timeout, database)
        except BaseException:
            LOG.warning("undercloud start failed; stopping what was started")
            self.down()
            raise
        plan.state = "up"
        plan.save()
        return plan

    def _launch(self, plan: Plan, procs: list[Proc], timeout: float) -> None:
        """Start ``procs`` (recorded at once), then wait until each answers."""
        started = []
        for proc in procs:
            proc.env = {**plan.process_env(), **proc.env}
            pid = service.start(proc, plan.logdir)
            plan.processes[proc.name] = {"pid": pid, "marker": proc.marker or str(plan.root)}
            plan.save()
            started.append((proc, pid))
        for proc, pid in started:
            service.wait_ready(proc, pid, plan.logdir, timeout)

    def _start(self, plan: Plan, fake_computes: Iterable[str], ironic: bool,
               timeout: float, database: str) -> None:
        t0 = time.monotonic()
        taken = [f"{n}={p}" for n, p in plan.ports.items() if service.port_taken(p)]
        if taken:
            raise UndercloudError(reason=f"ports already in use: {', '.join(taken)}")
        rabbit = rabbitmq.processes(plan)
        self._launch(plan, rabbit[:1], timeout)
        for proc in rabbit[1:]:  # the broker boots while the databases are made
            plan.processes[proc.name] = {"pid": service.start(proc, plan.logdir),
                                         "marker": proc.marker or str(plan.root)}
        plan.save()
        databases.prepare(plan, database)
        keystone.prepare(plan)
        self._launch(plan, keystone.processes(plan), timeout)
        with concurrent.futures.ThreadPoolExecutor(len(PREPARED)) as pool:
            futures = [pool.submit(module.prepare, plan) for module in PREPARED]
            keystone.register(plan)
            for future in futures:
                future.result()
        LOG.info("undercloud: databases and catalog ready after %.1fs",
                 time.monotonic() - t0)
        if plan.lab:
            try:
                Lab(self.workdir).set_keystone(self._keystone_record(plan))
            except LabStateError as exc:  # a lab that is not up: left as it is
                LOG.warning("the lab stays as it is: %s", exc)
        service.wait_ready(rabbit[1], plan.processes["rabbitmq"]["pid"], plan.logdir,
                           timeout)
        procs = [p for module in PREPARED for p in module.processes(plan)]
        if ironic:
            procs.append(nova.compute(plan, nova.IRONIC_HOST, nova.IRONIC_DRIVER))
        procs += [nova.compute(plan, host, nova.FAKE_DRIVER) for host in fake_computes]
        self._launch(plan, procs, timeout)
        self.write_clouds_yaml(plan)
        hosts = ([nova.IRONIC_HOST] if ironic else []) + list(fake_computes)
        self.wait_computes(plan, hosts, timeout)
        LOG.info("undercloud up in %.1fs", time.monotonic() - t0)

    def add_compute(self, host: str, driver: str = nova.FAKE_DRIVER,
                    timeout: float = START_TIMEOUT, ironic_url: str | None = None) -> None:
        """Start one more nova-compute named ``host`` in the running undercloud and
        wait until Nova lists it as up.

        :param ironic_url: with ``nova.IRONIC_DRIVER``: the Ironic it drives (default:
            the lab's under this undercloud).

        :raises UndercloudError: no undercloud runs here, the name is taken, or it
            did not come up (it is stopped then).
        """
        plan = self._running_plan()
        proc = nova.compute(plan, host, driver, ironic_url)
        if proc.name in plan.processes:
            raise UndercloudError(reason=f"a compute named {host} exists already")
        try:
            self._launch(plan, [proc], timeout)
            self.wait_computes(plan, [host], timeout)
        except BaseException:
            entry = plan.processes.pop(proc.name, None)
            if entry:
                service.stop(proc.name, entry["pid"], entry["marker"])
            plan.save()
            raise

    def remove_compute(self, host: str) -> None:
        """Stop the nova-compute named ``host`` and delete its service from Nova (its
        compute nodes and their Placement providers go with it), e.g. an Ironic
        compute whose lab is gone."""
        plan = self._running_plan()
        name = nova.compute_name(host)
        entry = plan.processes.pop(name, None)
        if entry:
            service.stop(name, entry["pid"], entry["marker"])
            plan.save()
        conn = keystone.admin_connection(plan)
        for found in conn.compute.services(binary="nova-compute", host=host):
            conn.compute.delete_service(found)

    def keystone_for_lab(self) -> dict | None:
        """The Keystone record (``keystone_auth``) for a lab brought up under this
        undercloud, or None when no undercloud is up here."""
        plan = self.plan()
        if plan is None or plan.state != "up":
            return None
        return self._keystone_record(plan)

    def _keystone_record(self, plan: Plan) -> dict:
        return keystone_record(plan, self.clouds_yaml, CLOUD, SYSTEM_CLOUD)

    def attach_lab(self, lab_state: dict) -> None:
        """Point the catalog's ``baremetal`` and ``baremetal-introspection`` at a lab
        brought up after this undercloud (``lab_state``: its lab.json)."""
        plan = self._running_plan()
        plan.lab = {"ironic_url": lab_state["ironic_url"],
                    "discoverd_url": lab_state["discoverd_url"]}
        keystone.set_lab_endpoints(plan)
        plan.save()

    def detach_lab(self) -> None:
        """Take the lab's services out of the catalog (the lab is left as it is)."""
        plan = self._running_plan()
        plan.lab = None
        keystone.set_lab_endpoints(plan)
        plan.save()

    def lab_started(self, lab_state: dict, timeout: float = START_TIMEOUT) -> None:
        """What ``undercloud up`` over a lab does, for a lab brought up after it: the
        catalog names the lab's services and a nova-compute drives its Ironic (unless
        one runs already).

        :raises UndercloudError: no undercloud is up here, or the compute did not
            come up (it is stopped then; the catalog keeps the lab).
        """
        self.attach_lab(lab_state)
        if nova.compute_name(nova.IRONIC_HOST) not in self._running_plan().processes:
            self.add_compute(nova.IRONIC_HOST, nova.IRONIC_DRIVER, timeout)

    def lab_stopping(self) -> None:
        """Before the lab goes: stop the nova-compute that drives its Ironic (its
        service, compute nodes and Placement providers deleted) and take the lab out
        of the catalog. A no-op when no undercloud is up here."""
        plan = self.plan()
        if plan is None or plan.state != "up":
            return
        if nova.compute_name(nova.IRONIC_HOST) in plan.processes:
            self.remove_compute(nova.IRONIC_HOST)
        self.detach_lab()

    def _running_plan(self) -> Plan:
        plan = self.plan()
        if plan is None or plan.state != "up":
            raise UndercloudError(reason=f"no undercloud is up in {self.root}")
        return plan

    def wait_computes(self, plan: Plan, hosts: list[str], timeout: float) -> None:
        """Wait until Nova's API lists the conductor, the scheduler and a
        nova-compute for each of ``hosts`` as up (RPC works end to end)."""
        if not hosts:
            return
        conn = keystone.admin_connection(plan)
        wanted = {("nova-conductor", None), ("nova-scheduler", None)} | {
            ("nova-compute", host) for host in hosts}

        def all_up() -> bool:
            up = {(s.binary, s.host) for s in conn.compute.services()
                  if s.state == "up" and s.status == "enabled"}
            up |= {(binary, None) for binary, _ in up}
            return wanted <= up

        last = wait_until(_checking(plan, all_up), timeout, interval=1)
        if last is not None:
            raise UndercloudError(reason=f"Nova did not list {sorted(hosts)} as up "
                                         f"within {timeout:.0f}s ({last}); see {plan.logdir}")

    def write_clouds_yaml(self, plan: Plan) -> Path:
        """``clouds.yaml`` with two clouds as the admin: ``undercloud`` (a project
        token, for everything) and ``undercloud-system`` (a system-scoped token, which
        Ironic's driver and chassis APIs take, and nothing else does)."""
        auth = {"auth_url": plan.auth_url, "username": "admin",
                "password": plan.passwords["admin"], "user_domain_name": "Default"}
        doc = {"clouds": {
            CLOUD: {"auth": auth | {"project_name": "admin",
                                    "project_domain_name": "Default"},
                    "region_name": REGION, "identity_api_version": 3},
            SYSTEM_CLOUD: {"auth": auth | {"system_scope": "all"},
                           "region_name": REGION, "identity_api_version": 3}}}
        self.clouds_yaml.write_text(yaml.safe_dump(doc, sort_keys=False))
        self.clouds_yaml.chmod(0o600)
        return self.clouds_yaml

    # -- status and down --------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        """One row per recorded process: name, pid, running or stopped, RSS in MiB.

        :raises UndercloudError: there is no undercloud in ``workdir``.
        """
        plan = self.plan()
        if plan is None:
            raise UndercloudError(reason=f"none in {self.root} ('undercloud up' first)")
        rows = []
        for name, entry in plan.processes.items():
            alive = service.running(entry["pid"], entry["marker"])
            rows.append({"name": name, "pid": entry["pid"],
                         "state": "running" if alive else "stopped",
                         "rss_mib": round(service.rss_kib(entry["pid"]) / 1024, 1)
                         if alive else 0.0})
        return rows

    def down(self) -> bool:
        """Stop every recorded process by pid (all at once, SIGKILL after 10 s).
        Idempotent. :returns: False when there was no undercloud here."""
        plan = self.plan()
        if plan is None:
            return False
        self._lab_without_keystone(plan)
        entries = list(plan.processes.items())
        with concurrent.futures.ThreadPoolExecutor(max(1, len(entries))) as pool:
            list(pool.map(lambda item: service.stop(item[0], item[1]["pid"],
                                                    item[1]["marker"]), entries))
        left = [name for name, entry in entries
                if service.running(entry["pid"], entry["marker"])]
        for name, entry in entries:
            if name in left:
                process.kill_group(entry["pid"])
        databases.stop(plan)
        plan.state = "down"
        plan.save()
        return True


    def _lab_without_keystone(self, plan: Plan) -> None:
        """Put the lab in ``workdir`` back to noauth if it runs behind this Keystone
        (a failure is logged: ``down`` goes on)."""
        state = Lab(self.workdir).load()
        if (not state or state.get("state") != "up"
                or (state.get("keystone") or {}).get("auth_url") != plan.auth_url):
            return
        try:
            Lab(self.workdir).set_keystone(None)
        except Exception:
            LOG.exception("the lab's Ironic and discoverd could not be restarted "
                          "without authentication ('lab down' stops them)")


def _checking(plan: Plan, check: Callable[[], bool]) -> Callable[[], str | None]:
    """A probe for ``wait_until``: ``check``, failing at once when a recorded process
    died meanwhile; its reason names what is not there yet."""
    def probe() -> str | None:
        dead = [name for name, entry in plan.processes.items()
                if not service.running(entry["pid"], entry["marker"])]
        if dead:
            raise UndercloudError(reason=f"{', '.join(dead)} exited; see {plan.logdir}")
        try:
            return None if check() else "not all up"
        except Exception as exc:  # the API may not answer yet; keep waiting
            LOG.debug("not yet: %s", exc)
            return f"not answering: {exc}"
    return probe
