"""Run one of the undercloud venv's console scripts (``nova-conductor``,
``heat-engine``...) or ``wsgi_runner.py`` in this process, after what every service
process needs first.

Run by the undercloud venv's python, by path (it imports nothing of ironic_tripleo):
``python program_runner.py /path/.venv-undercloud/bin/nova-conductor --config-file ...``.
With ``UC_SQLITE_IMMEDIATE=1`` SQLite transactions begin with ``BEGIN IMMEDIATE``
(``sqlite_immediate.py`` says why); with ``UC_PSYCOPG_INET_TEXT=1`` PostgreSQL
``inet`` values load as strings (``psycopg_inet.py``); with ``UC_PSYCOPG_LASTROWID=1``
psycopg 3 cursors get psycopg2's ``lastrowid`` (``psycopg_lastrowid.py``). The script
then runs as ``__main__`` with its own arguments.
"""

import importlib.util
import os
import runpy
import sys
from types import ModuleType

HERE = os.path.dirname(os.path.abspath(__file__))
# Run by path, this directory comes first on sys.path; its modules (keystone.py,
# nova.py...) would hide the services' packages of the same names.
if sys.path and os.path.abspath(sys.path[0]) == HERE:
    sys.path.pop(0)


def _sibling(name: str) -> ModuleType:
    """This directory's module ``name``, loaded by path (the directory is not on
    sys.path, see above)."""
    spec = importlib.util.spec_from_file_location(f"uc_{name}",
                                                  os.path.join(HERE, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    for name in ("sqlite_immediate", "psycopg_inet", "psycopg_lastrowid"):
        _sibling(name).install_if_asked()
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
