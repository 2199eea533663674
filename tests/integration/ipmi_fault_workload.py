"""Many threads calling one SessionPool against many BMCs; prints what happened as JSON.

Run by ``test_ipmi_faults.py`` inside a network namespace whose link to the BMCs
loses or delays packets. Run as a script (``python ipmi_fault_workload.py ARGS``)
so that ``ironic_tripleo`` comes from ``PYTHONPATH``: the test can point it at an
older checkout to show the fault it guards against.

Per BMC one thread toggles the power (set, then read back) and others only read.
A read is wrong when it falls wholly inside a time where the state is known (after
a set the BMC acknowledged, before the next set is sent) and differs from it.
Every call's duration is recorded; calls still running at the end are reported
with the time they have run so far.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time


def _set_power(pool, bmc, action: str) -> None:
    if hasattr(pool, "set_power"):
        pool.set_power(bmc, action)
        return
    from ironic_tripleo.ipmi import chassis  # older pools: a bounded raw command
    pool.run(bmc, lambda c, timeout: chassis.control(c, action, timeout),
             what=f"power {action}", bounded=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--ports", required=True, help="comma-separated BMC ports")
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--retries", type=int, default=1)
    parser.add_argument("--readers", type=int, default=1, help="reader threads per BMC")
    parser.add_argument("--duration", type=float, default=20.0)
    args = parser.parse_args()

    from ironic_tripleo.ipmi.driver_info import BMC
    from ironic_tripleo.ipmi.session_pool import SessionPool

    pool = SessionPool(command_timeout=args.timeout, command_retries=args.retries,
                       retry_backoff=0.2)
    bmcs = [BMC(args.address, int(p), "admin", "password") for p in args.ports.split(",")]
    end = time.monotonic() + args.duration
    lock = threading.Lock()
    calls: list[dict] = []          # finished calls
    running: dict[int, dict] = {}   # thread id -> call in progress
    known: dict[int, list] = {i: [] for i in range(len(bmcs))}  # (from, to, state)

    def call(index: int, kind: str, func):
        record = {"bmc": index, "kind": kind, "start": time.monotonic()}
        with lock:
            running[threading.get_ident()] = record
        try:
            record["value"] = func()
            record["ok"] = True
        except Exception as e:  # recorded: the test counts kinds of failure
            record["ok"] = False
            record["error"] = type(e).__name__
            record["message"] = str(e)[-120:]
        record["end"] = time.monotonic()
        with lock:
            running.pop(threading.get_ident(), None)
            calls.append(record)
        return record

    def toggler(index: int) -> None:
        bmc, target, since = bmcs[index], "on", None
        while time.monotonic() < end:
            setting = call(index, "set", lambda t=target: _set_power(pool, bmc, t))
            if since is not None:
                known[index].append((since[0], setting["start"], since[1]))
            since = (setting["end"], target) if setting["ok"] else None
            call(index, "read", lambda: pool.get_power(bmc))
            target = "off" if target == "on" else "on"
        if since is not None:
            known[index].append((since[0], float("inf"), since[1]))

    def reader(index: int) -> None:
        while time.monotonic() < end:
            call(index, "read", lambda: pool.get_power(bmcs[index]))

    threads = []
    for index in range(len(bmcs)):
        threads.append(threading.Thread(target=toggler, args=(index,), daemon=True))
        threads += [threading.Thread(target=reader, args=(index,), daemon=True)
                    for _ in range(args.readers)]
    for thread in threads:
        thread.start()
    # Give every call that started before the end its full timeout, and a margin.
    limit = end + args.timeout * (2 + args.retries) + 5
    for thread in threads:
        thread.join(max(0.0, limit - time.monotonic()))
    now = time.monotonic()
    with lock:
        stuck = [{**r, "running_for": now - r["start"]} for r in running.values()]
        done = list(calls)
    wrong = []
    for record in done:
        if record["kind"] != "read" or not record["ok"]:
            continue
        for start, stop, state in known[record["bmc"]]:
            if start <= record["start"] and record["end"] <= stop and \
                    record["value"] != state:
                wrong.append({**record, "expected": state})
    print(json.dumps({
        "calls": len(done),
        "ok": sum(1 for r in done if r["ok"]),
        "errors": sorted({r["error"] for r in done if not r["ok"]}),
        "messages": sorted({r["message"].split(": ", 1)[-1] for r in done
                            if not r["ok"]}),
        "durations": [round(r["end"] - r["start"], 3) for r in done],
        "stuck": stuck,
        "wrong": wrong,
        "bmcs_with_a_good_read": len({r["bmc"] for r in done
                                      if r["ok"] and r["kind"] == "read"}),
        "ok_per_bmc": [sum(1 for r in done if r["ok"] and r["bmc"] == i)
                       for i in range(len(bmcs))],
    }), flush=True)
    sys.stdout.flush()
    os._exit(0)  # stuck daemon threads of an older pool must not hold the exit


if __name__ == "__main__":
    main()
