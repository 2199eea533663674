"""Ironic's API requests in a time window, read from its log, for the benchmarks.

(In ``bench/lib/``: ``make bench`` runs every ``bench/*.py``.)

``ironic-api`` logs one line per request (``ironic.api``: method, path, status and
the time it spent on it). ``summarize`` groups the lines logged in a window by
request kind (UUIDs and MACs replaced, the query kept) so that a benchmark can print
how many requests of each kind a payload cost and how long Ironic took on them, and
counts the API worker processes that served them and the workers that exited.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import statistics
from pathlib import Path

_REQUEST = re.compile(
    r"^(?P<ts>\S+ \S+) (?P<pid>\d+) INFO ironic\.api \[.*\] \S+ - "
    r"(?P<method>[A-Z]+) (?P<path>\S+) - (?P<status>\d+) \((?P<ms>[\d.]+)ms\)")
_EXITED = re.compile(r"^(?P<ts>\S+ \S+) \d+ INFO cotyledon\S* \[.*\] Child \d+ exited")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MAC = re.compile(r"([0-9a-f]{2}(:|%3A)){5}[0-9a-f]{2}", re.IGNORECASE)


@dataclasses.dataclass
class Kind:
    """Requests of one kind: their count and the milliseconds Ironic spent on each."""

    count: int
    mean_ms: float
    p99_ms: float


@dataclasses.dataclass
class Summary:
    kinds: dict[str, Kind]
    #: API processes that served a request in the window
    serving_pids: int
    #: API worker processes that exited in the window (a crash loop shows here)
    workers_exited: int


def _time(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f")


def kind_of(method: str, path: str, status: str) -> str:
    """``GET /v1/nodes/<uuid> 200`` for ``GET /v1/nodes/0b1...`` answered 200."""
    return f"{method} {_MAC.sub('<mac>', _UUID.sub('<uuid>', path))} {status}"


def summarize(logs: list[Path], start: datetime.datetime, end: datetime.datetime
              ) -> Summary:
    """The requests the API logged in ``logs`` between ``start`` and ``end`` (local
    times, as Ironic logs them)."""
    times: dict[str, list[float]] = {}
    pids, exited = set(), 0
    for log in logs:
        if not log.exists():
            continue
        with open(log, errors="replace") as lines:
            for line in lines:
                if (m := _REQUEST.match(line)) and start <= _time(m["ts"]) <= end:
                    times.setdefault(kind_of(m["method"], m["path"], m["status"]),
                                     []).append(float(m["ms"]))
                    pids.add(m["pid"])
                elif (e := _EXITED.match(line)) and start <= _time(e["ts"]) <= end:
                    exited += 1
    kinds = {}
    for kind, values in sorted(times.items(), key=lambda kv: -len(kv[1])):
        values.sort()
        kinds[kind] = Kind(len(values), statistics.mean(values),
                           values[min(len(values) - 1, int(len(values) * 0.99))])
    return Summary(kinds, len(pids), exited)
