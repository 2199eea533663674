"""PostgreSQL ``inet``/``cidr`` values as strings for the services, as psycopg2 gave them.

With the psycopg 3 driver SQLAlchemy returns ``inet`` columns as ``ipaddress``
objects (its ``native_inet_types`` default), which Nova cannot read back: a compute
node's ``host_ip`` failed in netaddr ("argument of type 'IPv4Address' is not
iterable") and the scheduler never mapped a compute host. oslo.db gives no way to pass
``native_inet_types=False``; ``install()`` registers psycopg's text loader for both
types on psycopg's global adapters, which SQLAlchemy's dialect copies.

Run inside the services' processes (``program_runner.py``, with the undercloud venv's
python when ``UC_PSYCOPG_INET_TEXT=1``): imports nothing of ironic_tripleo.
"""

from __future__ import annotations

import os

ENV = "UC_PSYCOPG_INET_TEXT"


def install() -> None:
    """Load ``inet`` and ``cidr`` as ``str`` on every new psycopg connection."""
    import psycopg
    from psycopg.types.string import TextLoader

    for name in ("inet", "cidr"):
        psycopg.adapters.register_loader(name, TextLoader)


def install_if_asked() -> None:
    """``install()`` when the environment asks for it (``UC_PSYCOPG_INET_TEXT=1``)."""
    if os.environ.get(ENV) == "1":
        install()
