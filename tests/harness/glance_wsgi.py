"""Serve Glance's API (``glance.wsgi.api:application``) on 127.0.0.1:PORT with cheroot.

Run by ``.venv-glance``'s python (see ``glance_server``; no module beside this script
may be named ``glance``: the script's directory comes first on ``sys.path``). Glance 33
no longer has a standalone ``glance-api`` server, only the WSGI application, which
reads ``glance-api.conf`` from ``$OS_GLANCE_CONFIG_DIR``. cheroot is the WSGI server
Ironic itself uses (it comes from ``.venv``). SIGTERM stops it.

    python glance_wsgi.py PORT
"""

import concurrent.futures.thread  # noqa: F401 - Glance's atexit hook needs it loaded
import signal
import sys


def main() -> None:
    port = int(sys.argv[1])
    from cheroot import wsgi
    from glance.wsgi.api import application

    server = wsgi.Server(("127.0.0.1", port), application, numthreads=8,
                         server_name="glance-test")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # safe_start stops on SystemExit
    server.safe_start()


if __name__ == "__main__":
    main()
