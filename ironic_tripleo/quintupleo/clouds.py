"""One openstacksdk connection per cloud, shared by every server on it.

A :class:`CloudRegistry` (an object, so tests and the virtual BMC build their own)
hands out one :class:`Cloud` per distinct :class:`CloudSpec`. A ``Cloud`` owns the
connection (keystone token reused, HTTP connections pooled), a cap on concurrent
API calls, the name -> ID cache of servers and an optional short cache of server
readings that any action on the server invalidates. Every API call goes through
:meth:`Cloud.call`, which turns openstacksdk's errors into ours.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import keystoneauth1.exceptions as ksa_exc
import openstack.config
import openstack.connection
import openstack.exceptions as sdk_exc

from ironic_tripleo.quintupleo import exception
from ironic_tripleo.quintupleo.power_states import Reading

LOG = logging.getLogger(__name__)
T = TypeVar("T")

#: explicit auth fields (driver_info ``nova_<field>``) besides the password
AUTH_FIELDS = ("auth_url", "username", "user_id", "project_name", "project_id",
               "user_domain_name", "user_domain_id", "project_domain_name",
               "project_domain_id")


@dataclasses.dataclass(frozen=True)
class CloudSpec:
    """Which cloud: a clouds.yaml entry name, or explicit password auth.

    Hashable: the registry keys connections on it. The password is left out of
    ``repr`` and of :attr:`label`.
    """

    name: str | None = None
    auth: tuple[tuple[str, str], ...] = ()
    password: str = dataclasses.field(default="", repr=False)
    region_name: str | None = None

    @property
    def label(self) -> str:
        """The clouds.yaml name, or ``user@auth_url`` (for messages and logs)."""
        if self.name:
            return self.name
        auth = dict(self.auth)
        who = auth.get("username") or auth.get("user_id") or "?"
        return f"{who}@{auth.get('auth_url', '?')}"


@dataclasses.dataclass(frozen=True)
class CloudSettings:
    """How a registry's connections behave (plain values, from [tripleo_nova])."""

    api_timeout: float = 10.0
    max_concurrent_calls: int = 8
    status_cache_ttl: float = 0.0
    clouds_file: str | None = None


class Cloud:
    """A connection to one cloud, shared by every server on it (thread-safe)."""

    def __init__(self, spec: CloudSpec, settings: CloudSettings,
                 connection: Any | None = None) -> None:
        self.spec = spec
        self.settings = settings
        self._connection = connection
        self._connect_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(settings.max_concurrent_calls)
        # Calls with a deadline run here; one worker per slot, so a call that holds
        # a slot never waits for a worker, and threads are reused, not made per call.
        self._workers = concurrent.futures.ThreadPoolExecutor(
            max_workers=settings.max_concurrent_calls,
            thread_name_prefix=f"nova-{spec.label}")
        self._ids: dict[str, str] = {}
        self._cache: dict[str, tuple[float, Reading]] = {}
        self._cache_lock = threading.Lock()

    @property
    def label(self) -> str:
        return self.spec.label

    def connection(self) -> Any:
        """The openstacksdk connection, made on first use.

        :raises CloudConfigError: unknown clouds.yaml entry or unusable auth.
        """
        with self._connect_lock:
            if self._connection is None:
                self._connection = self._connect()
            return self._connection

    def _connect(self) -> Any:
        timeout = self.settings.api_timeout
        try:
            if self.spec.name:
                files = [self.settings.clouds_file] if self.settings.clouds_file else None
                config = openstack.config.OpenStackConfig(config_files=files)
                region = config.get_one(cloud=self.spec.name, api_timeout=timeout)
                return openstack.connection.Connection(config=region)
            auth = {**dict(self.spec.auth), "password": self.spec.password}
            return openstack.connection.Connection(
                auth_type="password", auth=auth, region_name=self.spec.region_name,
                api_timeout=timeout)
        except (sdk_exc.SDKException, ksa_exc.ClientException) as exc:
            raise exception.CloudConfigError(cloud=self.label, reason=exc) from exc

    def call(self, server: str, what: str, func: Callable[[Any], T],
             deadline: float | None = None) -> T:
        """Run ``func(connection)`` in one of the cloud's call slots.

        One call may be several HTTP requests (a token, version discovery, the API
        call), each allowed ``api_timeout``. With a ``deadline`` the call as a whole
        ends there: it runs on one of the cloud's workers, and when it has not returned by
        then this raises :class:`CloudTimeout`; the call goes on in the background,
        holding its slot, until its own requests end (so the cap stays true).

        :param server: the server's label, for messages.
        :param what: what the call does, for messages (``start``, ``get``...).
        :param deadline: ``time.monotonic()`` by which a slot must be free and the
            call must have answered; None: a slot within api_timeout, no bound on
            the call beyond its requests' own timeouts.
        :raises ServerNotFound: on HTTP 404.
        :raises CloudUnreachable: no answer (refused, timed out).
        :raises CloudTimeout: no answer by the deadline (a CloudUnreachable).
        :raises CloudRequestFailed: any other error answer (409 included).
        :raises CloudBusy: no slot before the deadline.
        """
        started = time.monotonic()
        slot_by = deadline if deadline is not None else started + self.settings.api_timeout
        if not self._slots.acquire(timeout=max(0.0, slot_by - time.monotonic())):
            raise exception.CloudBusy(cloud=self.label, server=server, what=what,
                                      seconds=time.monotonic() - started)
        if deadline is None:
            try:
                return self._run(server, what, func)
            finally:
                self._slots.release()

        def run() -> T:
            try:
                return self._run(server, what, func)
            finally:
                self._slots.release()

        future = self._workers.submit(run)
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()))
        except concurrent.futures.TimeoutError:
            LOG.debug("cloud %s: %s of %s still unanswered at its deadline",
                      self.label, what, server)
            raise exception.CloudTimeout(cloud=self.label, server=server, what=what,
                                         seconds=time.monotonic() - started) from None

    def _run(self, server: str, what: str, func: Callable[[Any], T]) -> T:
        """``func(connection)``, with openstacksdk's and keystoneauth's errors as ours."""
        try:
            return func(self.connection())
        except sdk_exc.NotFoundException as exc:
            raise exception.ServerNotFound(cloud=self.label, server=server) from exc
        except sdk_exc.ConflictException as exc:
            raise exception.CloudRequestFailed(cloud=self.label, server=server,
                                               what=what, reason=exc,
                                               conflict=True) from exc
        except (ksa_exc.ConnectionError, ksa_exc.RequestTimeout) as exc:
            raise exception.CloudUnreachable(cloud=self.label, server=server, what=what,
                                             reason=exc) from exc
        except ksa_exc.NotFound as exc:
            raise exception.ServerNotFound(cloud=self.label, server=server) from exc
        except (sdk_exc.SDKException, ksa_exc.ClientException) as exc:
            raise exception.CloudRequestFailed(cloud=self.label, server=server,
                                               what=what, reason=exc) from exc

    def server_id(self, name_or_id: str, deadline: float | None = None) -> str:
        """The ID of a server given by name or ID (names resolved once, then cached).

        :raises ServerNotFound, ServerAmbiguous, CloudUnreachable...
        """
        if _is_uuid(name_or_id):
            return name_or_id
        with self._cache_lock:
            known = self._ids.get(name_or_id)
        if known:
            return known

        def find(conn: Any) -> list[Any]:
            # Nova matches ``name`` as a regular expression: keep exact matches only.
            return [s for s in conn.compute.servers(name=name_or_id)
                    if s.name == name_or_id]

        found = self.call(name_or_id, "find", find, deadline)
        if not found:
            raise exception.ServerNotFound(cloud=self.label, server=name_or_id)
        if len(found) > 1:
            raise exception.ServerAmbiguous(cloud=self.label, server=name_or_id,
                                            count=len(found))
        with self._cache_lock:
            self._ids[name_or_id] = found[0].id
        return found[0].id

    def image_id(self, name_or_id: str, deadline: float | None = None) -> str:
        """The ID of an image given by name or ID (resolved once, then cached);
        Nova's rescue takes only an image UUID.

        :raises CloudRequestFailed: when there is no such image.
        """
        key = f"image:{name_or_id}"
        with self._cache_lock:
            known = self._ids.get(key)
        if known:
            return known
        image = self.call(name_or_id, "find image",
                          lambda c: c.image.find_image(name_or_id, ignore_missing=True),
                          deadline)
        if image is None:
            raise exception.CloudRequestFailed(
                cloud=self.label, server="-", what=f"find image {name_or_id!r}",
                reason="no such image (see [tripleo_nova]rescue_image)")
        with self._cache_lock:
            self._ids[key] = image.id
        return image.id

    def forget(self, name_or_id: str) -> None:
        """Drop a cached name -> ID (after the server was deleted or replaced)."""
        with self._cache_lock:
            self._ids.pop(name_or_id, None)

    def cached_reading(self, server_id: str) -> Reading | None:
        """A reading younger than status_cache_ttl, or None."""
        ttl = self.settings.status_cache_ttl
        if ttl <= 0:
            return None
        with self._cache_lock:
            entry = self._cache.get(server_id)
        if entry and time.monotonic() - entry[0] < ttl:
            return entry[1]
        return None

    def remember(self, server_id: str, reading: Reading) -> None:
        """Keep a fresh reading (when caching is on)."""
        if self.settings.status_cache_ttl > 0:
            with self._cache_lock:
                self._cache[server_id] = (time.monotonic(), reading)

    def invalidate(self, server_id: str) -> None:
        """Forget the cached reading of a server: an action is changing it."""
        with self._cache_lock:
            self._cache.pop(server_id, None)


class CloudRegistry:
    """Hands out one :class:`Cloud` per :class:`CloudSpec` (thread-safe).

    :param settings: applied to every cloud it makes.
    :param connect: optional factory ``(spec, settings) -> connection`` for tests.
    """

    def __init__(self, settings: CloudSettings | None = None,
                 connect: Callable[[CloudSpec, CloudSettings], Any] | None = None) -> None:
        self.settings = settings or CloudSettings()
        self._connect = connect
        self._clouds: dict[CloudSpec, Cloud] = {}
        self._lock = threading.Lock()

    def get(self, spec: CloudSpec) -> Cloud:
        """The shared :class:`Cloud` for ``spec``."""
        with self._lock:
            cloud = self._clouds.get(spec)
            if cloud is None:
                connection = self._connect(spec, self.settings) if self._connect else None
                cloud = Cloud(spec, self.settings, connection)
                self._clouds[spec] = cloud
                LOG.debug("new connection for cloud %s", spec.label)
            return cloud

    def __len__(self) -> int:
        return len(self._clouds)


def spec_from_fields(cloud: str | None, auth: Mapping[str, str] | None = None,
                     password: str = "", region_name: str | None = None) -> CloudSpec:
    """A :class:`CloudSpec` from a clouds.yaml name or explicit auth fields."""
    return CloudSpec(name=cloud or None,
                     auth=tuple(sorted((k, v) for k, v in (auth or {}).items() if v)),
                     password=password, region_name=region_name or None)


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False
