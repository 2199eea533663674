"""Serve one OpenStack WSGI application with cheroot, in one or several processes.

Run by path with a venv's python (it imports nothing of ironic_tripleo): by the
undercloud's (through ``undercloud/program_runner.py``, which prepares the process
first) for the APIs of Keystone, Placement, Glance, Neutron, Nova and Heat, which are
WSGI only; and by the lab's production-shaped Ironic for ``ironic.wsgi`` with several
workers (Ironic 39's own ``ironic-api`` starts every worker on its own listening
socket without ``SO_REUSEPORT``: all but one exit with "Address already in use" and
are restarted in a loop, so it serves from one process whatever ``api_workers`` says).
Everything comes from the environment, because these applications parse ``sys.argv``
as their own command line:

- ``UC_WSGI_APP``: ``module:attribute`` of the application;
- ``UC_WSGI_PORT``: the TCP port; ``UC_WSGI_HOST`` the address (127.0.0.1);
- ``UC_WSGI_ARGS``: optional arguments for the application's parser, split on
  whitespace (e.g. ``--config-file /path/heat.conf``);
- ``UC_WSGI_WORKERS``: processes serving the port (1): the first forks the others
  before the application is imported; each listens with ``SO_REUSEPORT`` and the
  kernel spreads connections over them. A worker that dies is not replaced.

Arguments on its own command line are ignored (callers put a marker there, to tell
the process from a stranger that reused its pid). SIGTERM stops a process; callers
stop the whole process group.
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
    host = os.environ.get("UC_WSGI_HOST", "127.0.0.1")
    workers = int(os.environ.get("UC_WSGI_WORKERS", "1"))
    sys.argv = [module_name.split(".")[0] + "-api", *os.environ.get("UC_WSGI_ARGS", "").split()]
    for _ in range(workers - 1):  # before any import: no shared threads or connections
        if os.fork() == 0:
            break
    from cheroot import wsgi

    application = getattr(importlib.import_module(module_name), attribute)
    server = wsgi.Server((host, port), application, numthreads=8,
                         server_name=module_name, reuse_port=workers > 1)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # safe_start stops on SystemExit
    server.safe_start()


if __name__ == "__main__":
    main()
