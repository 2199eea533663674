"""Benchmark: ahc_rules.assign vs a loop over hardware.state.State.find_match.

10,000 synthetic nodes (100-200 facts each) x the 5 example roles, both in the same
run on the same facts. The ahc-tools way gets its state and specs copied into a
temporary directory (without the cmdb, so that neither side writes files) and
the same facts turned into strings once (both need that; it is timed apart).
Our time includes loading and compiling the rules. Each side runs ``--repeat``
times and the best time counts (the machine is shared). Prints both times, the
ratio and whether the assignments agree.

    .venv/bin/python bench/ahc_match.py [--nodes 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
import time
from pathlib import Path

from hardware import state as hw_state

from ahc_rules.assign import assign
from ahc_rules.facts import Node
from ahc_rules.matcher import NodeFacts, to_line
from ahc_rules.rules_dir import load_rules
from ahc_rules.synthetic import fleet

EXAMPLES = Path(__file__).resolve().parent.parent / "ahc_rules" / "examples"


def run_ours(rules_dir: Path, lines: dict) -> tuple[float, dict]:
    start = time.perf_counter()
    rules = load_rules(rules_dir)
    nodes = [Node(name, NodeFacts(facts, strings=True)) for name, facts in lines.items()]
    result = assign(nodes, rules)
    elapsed = time.perf_counter() - start
    return elapsed, {a.node: a.role for a in result.assignments}


def run_hardware(rules_dir: Path, lines: dict) -> tuple[float, dict]:
    start = time.perf_counter()
    state = hw_state.State()
    state.load(str(rules_dir))
    try:
        roles = {}
        for name in sorted(lines):
            try:
                roles[name] = state.find_match(list(lines[name]))[0]
            except hw_state.StateError:
                roles[name] = None
    finally:
        state.unlock()
    return time.perf_counter() - start, roles


def best(runner, rules_dir: Path, lines: dict, repeat: int) -> tuple[float, dict]:
    """The fastest of ``repeat`` runs (the assignments are the same each time)."""
    return min((runner(rules_dir, lines) for _ in range(repeat)), key=lambda run: run[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per side")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # hardware.state logs every role it tries
    payloads = fleet(args.nodes)
    facts = sum(len(p) for p in payloads.values())
    print(f"{args.nodes} nodes, {facts / args.nodes:.0f} facts/node on average, 5 roles")
    start = time.perf_counter()
    lines = {name: [to_line(f) for f in facts] for name, facts in payloads.items()}
    print(f"facts to strings (both need it, not timed below): "
          f"{time.perf_counter() - start:.2f} s")
    with tempfile.TemporaryDirectory(prefix="ahc-bench-") as tmp:
        rules_dir = Path(tmp)
        for path in EXAMPLES.iterdir():
            if path.name == "state" or path.suffix == ".specs":
                shutil.copy(path, rules_dir / path.name)
        ours, our_roles = best(run_ours, rules_dir, lines, args.repeat)
        print(f"ahc_rules.assign:                  {ours:8.2f} s (best of {args.repeat})")
        theirs, their_roles = best(run_hardware, rules_dir, lines, args.repeat)
        print(f"hardware.state.State.find_match:   {theirs:8.2f} s (best of {args.repeat})")
    print(f"ratio: {theirs / ours:.1f}x faster; same assignments: {our_roles == their_roles}")


if __name__ == "__main__":
    main()
