"""Run one of the undercloud venv's console scripts (``nova-conductor``,
``heat-engine``...) in this process, after what every service process needs first.

Run by the undercloud venv's python, by path (it imports nothing of ironic_tripleo):
``python program_runner.py /path/.venv-undercloud/bin/nova-conductor --config-file ...``.
With ``UC_SQLITE_IMMEDIATE=1`` SQLite transactions begin with ``BEGIN IMMEDIATE``
(``sqlite_immediate.py`` says why). The script then runs as ``__main__`` with its
own arguments.
"""

import os
import runpy
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# Run by path, this directory comes first on sys.path; its modules (keystone.py,
# nova.py...) would hide the services' packages of the same names.
if sys.path and os.path.abspath(sys.path[0]) == HERE:
    sys.path.pop(0)


def main() -> None:
    sys.path.insert(0, HERE)
    try:
        import sqlite_immediate
    finally:
        sys.path.remove(HERE)
    sqlite_immediate.install_if_asked()
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
