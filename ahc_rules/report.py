"""Groups of identical hardware and benchmark outliers (the cardiff rules).

Nodes are grouped by a hardware fingerprint: their facts minus what differs between
identical machines (serials, MACs, IPs, benchmark figures). Within a group, every
benchmark figure (``cpu/logical_3/loops_per_sec``, ``disk/sda/standalone_read_1M_KBps``)
is judged across the group's nodes: deviance = std / mean * 100; above ``tol_max`` the
figure is UNSTABLE; above ``tol_min``, nodes outside mean +- 2 std are SUSPICIOUS;
otherwise it is CONSISTENT.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import statistics
from collections.abc import Iterable
from pathlib import Path

from ahc_rules.facts import Node
from ahc_rules.matcher import Line

#: Fact keys that differ between identical machines.
VOLATILE_KEYS = frozenset({"serial", "uuid", "ipv4", "ipv4-netmask", "ipv4-cidr",
                           "ipv4-network", "ipv6", "mac", "date"})
BENCHMARK_RE = re.compile(r"(KBps|IOps|MBps|bogomips|loops_per_sec|bandwidth)", re.IGNORECASE)
CONSISTENT, SUSPICIOUS, UNSTABLE = "CONSISTENT", "SUSPICIOUS", "UNSTABLE"


def is_benchmark(line: Line) -> bool:
    """True for a benchmark figure."""
    return BENCHMARK_RE.search(line[2]) is not None


def fingerprint(lines: Iterable[Line]) -> str:
    """A short hash of the facts that identical machines share."""
    kept = sorted(line for line in lines
                  if line[2] not in VOLATILE_KEYS and not is_benchmark(line))
    digest = hashlib.sha256(repr(kept).encode()).hexdigest()
    return digest[:12]


def group_nodes(nodes: Iterable[Node]) -> dict[str, list[Node]]:
    """Fingerprint -> nodes with that hardware, biggest group first."""
    groups: dict[str, list[Node]] = {}
    for node in nodes:
        groups.setdefault(fingerprint(node.facts.lines), []).append(node)
    return dict(sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The cardiff verdict on one benchmark figure within one group."""

    metric: tuple[str, str, str]
    status: str
    mean: float
    std: float
    deviance: float
    values: dict[str, float]
    suspicious: tuple[str, ...] = ()


def judge(metric: tuple[str, str, str], values: dict[str, float], tol_min: float,
          tol_max: float) -> Verdict:
    """Apply the cardiff rule to one figure's values (node name -> value).

    :param tol_min: deviance (percent) above which outliers are looked for.
    :param tol_max: deviance (percent) above which the figure is UNSTABLE.
    """
    data = list(values.values())
    mean = statistics.fmean(data)
    std = statistics.stdev(data) if len(data) > 1 else 0.0
    deviance = std / mean * 100 if mean else 0.0
    if deviance > tol_max:
        return Verdict(metric, UNSTABLE, mean, std, deviance, values)
    if deviance > tol_min:
        outliers = tuple(sorted(name for name, value in values.items()
                                if abs(value - mean) > 2 * std))
        if outliers:
            return Verdict(metric, SUSPICIOUS, mean, std, deviance, values, outliers)
    return Verdict(metric, CONSISTENT, mean, std, deviance, values)


def benchmarks(nodes: Iterable[Node]) -> dict[tuple[str, str, str], dict[str, float]]:
    """Benchmark figure -> {node name: value} over ``nodes`` (numbers only)."""
    figures: dict[tuple[str, str, str], dict[str, float]] = {}
    for node in nodes:
        for line in node.facts.lines:
            if is_benchmark(line):
                try:
                    value = float(line[3])
                except ValueError:
                    continue
                figures.setdefault(line[:3], {})[node.name] = value
    return figures


def judge_group(nodes: list[Node], tol_min: float = 2.0, tol_max: float = 15.0) -> list[Verdict]:
    """Verdicts for every benchmark figure that at least two nodes of a group have."""
    return [judge(metric, values, tol_min, tol_max)
            for metric, values in sorted(benchmarks(nodes).items()) if len(values) > 1]


def plot_group(group: str, verdicts: list[Verdict], directory: str | Path) -> list[Path]:
    """One PNG per benchmark key (all items of that key) for a group; returns paths."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    by_key: dict[tuple[str, str], list[Verdict]] = {}
    for verdict in verdicts:
        by_key.setdefault((verdict.metric[0], verdict.metric[2]), []).append(verdict)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for (cls, key), items in sorted(by_key.items()):
        fig, ax = pyplot.subplots(figsize=(max(6, len(items) * 0.5), 4))
        for x, verdict in enumerate(items):
            ys = list(verdict.values.values())
            color = {CONSISTENT: "tab:green", SUSPICIOUS: "tab:orange",
                     UNSTABLE: "tab:red"}[verdict.status]
            ax.scatter([x] * len(ys), ys, s=12, color=color)
            ax.errorbar([x], [verdict.mean], yerr=[2 * verdict.std], fmt="_k", capsize=4)
        ax.set_xticks(range(len(items)), [v.metric[1] for v in items], rotation=60,
                      fontsize=7)
        ax.set_title(f"group {group}: {cls} {key} (mean +- 2 std)")
        fig.tight_layout()
        path = out / f"{group}-{cls}-{re.sub(r'[^A-Za-z0-9_.-]', '_', key)}.png"
        fig.savefig(path, dpi=80)
        pyplot.close(fig)
        paths.append(path)
    return paths
