"""Console scripts: ``discoverd`` (the service) and ``discoverd-dbsync``."""

import logging
import sys

from discoverd import exception
from discoverd.conf import new_conf
from discoverd.db.api import Database

LOG = logging.getLogger(__name__)


def _setup_logging(debug: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")


def main(argv: list[str] | None = None) -> int:
    """Run discoverd: ``discoverd --config-file /etc/discoverd/discoverd.conf``."""
    from discoverd.server import Server

    conf = new_conf(sys.argv[1:] if argv is None else argv,
                    default_config_files=_defaults())
    _setup_logging(conf.debug)
    try:
        server = Server(conf)
    except exception.DiscoverdError as exc:
        LOG.error("%s", exc)
        return 1
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def dbsync(argv: list[str] | None = None) -> int:
    """Upgrade the database schema: ``discoverd-dbsync --config-file ...``."""
    conf = new_conf(sys.argv[1:] if argv is None else argv,
                    default_config_files=_defaults())
    _setup_logging(conf.debug)
    db = Database(conf.database.connection)
    db.upgrade()
    db.dispose()
    return 0


def _defaults() -> list[str]:
    from pathlib import Path

    path = Path("/etc/discoverd/discoverd.conf")
    return [str(path)] if path.exists() else []
