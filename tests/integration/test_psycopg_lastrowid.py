"""Why Placement's allocations failed on PostgreSQL with psycopg 3, and the fix, with a
real PostgreSQL through oslo.db's engine (the one Placement uses): an ``insert()``
whose ``result.lastrowid`` is read, as Placement 16's ``_set_allocations`` does.

Run through ``program_runner.py`` in a subprocess, as the services are, so that the
class-level patch never touches this test process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ironic_tripleo.lab.undercloud import psycopg_lastrowid
from tests.harness.postgres import postgres  # noqa: F401 (fixture)

PROBE = """
import sys
import sqlalchemy as sa
from oslo_db.sqlalchemy import engines

meta = sa.MetaData()
allocs = sa.Table("allocations", meta, sa.Column("id", sa.Integer, primary_key=True),
                  sa.Column("used", sa.Integer))
engine = engines.create_engine(sys.argv[1])
meta.create_all(engine)
try:
    with engine.begin() as conn:
        res = conn.execute(allocs.insert().values(used=1))
        print("lastrowid", res.lastrowid)
except Exception as exc:
    print("failed", type(exc).__name__, exc)
with engine.connect() as conn:
    print("rows", conn.execute(sa.text("SELECT count(*) FROM allocations")).scalar_one())
"""


def _probe(tmp_path: Path, url: str, env: dict[str, str]) -> list[str]:
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    runner = Path(psycopg_lastrowid.__file__).with_name("program_runner.py")
    clean = {k: v for k, v in os.environ.items() if k != psycopg_lastrowid.ENV}
    return subprocess.run([sys.executable, str(runner), str(probe), url],
                          env={**clean, **env}, capture_output=True, text=True,
                          timeout=120, check=True).stdout.splitlines()


def test_lastrowid_fails_on_psycopg3_without_the_shim(tmp_path, postgres):  # noqa: F811
    """The defect: the insert's transaction fails and nothing is written."""
    url = postgres.create_database()
    assert url.startswith("postgresql+psycopg://")
    out = _probe(tmp_path, url, {})
    assert out[0].startswith("failed") and "lastrowid" in out[0], out
    assert out[1] == "rows 0", out


def test_program_runner_gives_psycopg2s_lastrowid(tmp_path, postgres):  # noqa: F811
    """With ``UC_PSYCOPG_LASTROWID=1`` the row lands and lastrowid is psycopg2's OID
    (0: PostgreSQL tables have no OIDs), as Placement upstream gets it."""
    out = _probe(tmp_path, postgres.create_database(), {psycopg_lastrowid.ENV: "1"})
    assert out == ["lastrowid 0", "rows 1"], out
