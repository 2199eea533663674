"""Serving discoverd: the WSGI server thread, the timeout checker, the lease keeper.

Used by the console script and by tests that need a real HTTP endpoint.
"""

import logging
import threading

from oslo_config import cfg
from werkzeug.serving import BaseWSGIServer, make_server

from discoverd import lease_keeper, no_lease
from discoverd.app import create_app, get_service
from discoverd.pxe_filter.sync import FilterSyncer
from discoverd.timeouts import TimeoutChecker

LOG = logging.getLogger(__name__)


class Server:
    """One discoverd instance: the app on ``listen_address:listen_port``.

    :param conf: parsed discoverd configuration.
    :param port: overrides ``listen_port`` (0 picks a free port).
    """

    def __init__(self, conf: cfg.ConfigOpts, port: int | None = None, **app_kwargs) -> None:
        self.app = create_app(conf, **app_kwargs)
        self.service = get_service(self.app)
        self.wsgi: BaseWSGIServer = make_server(
            conf.listen_address, conf.listen_port if port is None else port, self.app,
            threaded=True)
        self.checker = TimeoutChecker(self.service, conf.clean_up_period)
        self.lease_keeper = lease_keeper.keeper(self.service)
        self.filter_syncer = FilterSyncer(self.service.pxe_filter, self.service.db,
                                          self.service.ironic, conf.pxe_filter.sync_period)
        if self.service.pxe_filter is not None:
            self.service.end_listeners.append(self.filter_syncer.wake)
        self.no_lease = no_lease.from_conf(conf, self.service)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.wsgi.server_address[:2]
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        return f"http://{host}:{port}"

    def start(self) -> "Server":
        """Serve in a background thread; return self."""
        self.checker.start()
        self.lease_keeper.start()
        self.filter_syncer.start()
        if self.no_lease is not None:
            self.no_lease.start()
        self._thread = threading.Thread(target=self.wsgi.serve_forever, name="discoverd-api",
                                        daemon=True)
        self._thread.start()
        LOG.info("discoverd listening on %s", self.url)
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self.checker.start()
        self.lease_keeper.start()
        self.filter_syncer.start()
        if self.no_lease is not None:
            self.no_lease.start()
        LOG.info("discoverd listening on %s", self.url)
        try:
            self.wsgi.serve_forever()
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving and the timeout checker; close the database. Idempotent."""
        if self._thread is not None:
            self.wsgi.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self.wsgi.server_close()
        self.checker.stop()
        self.lease_keeper.stop()
        self.filter_syncer.stop()
        if self.no_lease is not None:
            self.no_lease.stop()
        self.service.db.dispose()
