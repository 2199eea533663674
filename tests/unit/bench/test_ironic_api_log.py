"""bench/lib/ironic_api_log.py: Ironic 39's request log lines grouped by kind."""

import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench" / "lib"))

import ironic_api_log  # noqa: E402

#: Lines as ironic-api (Ironic 39) and cotyledon write them.
LOG = Path(__file__).parent / "data" / "ironic_api.log"


def test_requests_in_the_window_grouped_by_kind(tmp_path):
    summary = ironic_api_log.summarize(
        [LOG, tmp_path / "missing.log"],
        datetime.datetime(2026, 11, 29, 17, 47, 48), datetime.datetime(2026, 11, 29, 17, 48))
    assert list(summary.kinds) == [
        "GET /v1/nodes/<uuid> 200",
        "GET /v1/ports?address=<mac>&fields=uuid 200",
        "PATCH /v1/nodes/<uuid> 409"]
    nodes = summary.kinds["GET /v1/nodes/<uuid> 200"]
    assert (nodes.count, round(nodes.mean_ms, 1), nodes.p99_ms) == (2, 28.5, 30.35)
    assert summary.serving_pids == 2
    assert summary.workers_exited == 1
