"""Serve one OpenStack WSGI application on 127.0.0.1 with cheroot.

Run by the undercloud venv's python, by path, through ``program_runner.py`` (which
prepares the process first; this imports nothing of ironic_tripleo):
the APIs of Keystone, Placement, Glance, Neutron, Nova and Heat are WSGI only.
Everything comes from the environment, because several of these applications parse
``sys.argv`` as their own command line:

- ``UC_WSGI_APP``: ``module:attribute`` of the application;
- ``UC_WSGI_PORT``: the TCP port;
- ``UC_WSGI_ARGS``: optional arguments for the application's parser, split on
  whitespace (e.g. ``--config-file /path/heat.conf``).

SIGTERM stops it.
"""

import os
import sys

# Run by path, this directory comes first on sys.path; its modules (keystone.py,
# nova.py...) would hide the services' packages of the same names.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import concurrent.futures.thread  # noqa: E402,F401 - some atexit hooks need it loaded
import importlib  # noqa: E402
import signal  # noqa: E402


def main() -> None:
    module_name, attribute = os.environ["UC_WSGI_APP"].split(":")
    port = int(os.environ["UC_WSGI_PORT"])
    sys.argv = [module_name.split(".")[0] + "-api", *os.environ.get("UC_WSGI_ARGS", "").split()]
    from cheroot import wsgi

    application = getattr(importlib.import_module(module_name), attribute)
    server = wsgi.Server(("127.0.0.1", port), application, numthreads=8,
                         server_name=module_name)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # safe_start stops on SystemExit
    server.safe_start()


if __name__ == "__main__":
    main()
