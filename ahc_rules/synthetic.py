"""Realistic synthetic fact lists (``hardware-detect`` shape) for benchmarks and demos.

Five machine models fit the example rules (``examples/``): controllers, computes,
Ceph, Cinder and Swift nodes; each node has 100-200 facts (per-core CPU lines,
memory banks, disks, NICs, system and benchmark figures) with its own serials and MACs.
"""

from __future__ import annotations

import random
from typing import Any

GIB = 1024 ** 3

#: model name -> (cpu sockets, cores per socket, memory GiB, [(disk count, GB, rotational)],
#: nic count, product name)
MODELS: dict[str, tuple[int, int, int, list[tuple[int, int, str]], int, str]] = {
    "control": (2, 8, 128, [(2, 480, "0")], 4, "PowerEdge R630"),
    "compute": (2, 12, 256, [(1, 960, "0")], 2, "PowerEdge R640"),
    "ceph-storage": (1, 8, 64, [(2, 240, "0"), (10, 4000, "1")], 2, "PowerEdge R730xd"),
    "block-storage": (1, 8, 64, [(2, 240, "0"), (4, 2000, "1")], 2, "PowerEdge R730"),
    "swift-storage": (1, 6, 32, [(1, 240, "0"), (8, 6000, "1")], 2, "ProLiant SL4540"),
}


def _mac(rng: random.Random) -> str:
    return "52:54:00:" + ":".join(f"{rng.randrange(256):02x}" for _ in range(3))


def node_facts(model: str, rng: random.Random, index: int = 0) -> list[list[Any]]:
    """One node's facts as ``hardware-detect`` prints them (ints included).

    :param model: a key of :data:`MODELS`.
    :param rng: the random source (seed it for reproducible runs).
    :param index: used in the serial number and the provisioning IP.
    """
    sockets, cores, mem_gib, disks, nics, product = MODELS[model]
    # The order hardware-detect uses: disks, system (product, firmware, memory,
    # network, cpu), ipmi, then benchmark figures.
    facts: list[list[Any]] = []
    disk_names = []
    for count, size, rotational in disks:
        for _ in range(count):
            name = "sd" + chr(ord("a") + len(disk_names))
            disk_names.append(name)
            facts += [["disk", name, "size", size], ["disk", name, "vendor", "ATA"],
                      ["disk", name, "model", "MZ7KM480" if rotational == "0" else "ST4000NM"],
                      ["disk", name, "rotational", rotational],
                      ["disk", name, "serial", f"Z{rng.randrange(10**8):08d}"]]
    facts.append(["disk", "logical", "count", len(disk_names)])
    facts += [
        ["system", "product", "vendor", "Dell Inc." if "Edge" in product else "HP"],
        ["system", "product", "name", product],
        ["system", "product", "serial", f"SN{index:07d}{rng.randrange(1000):03d}"],
        ["firmware", "bios", "version", rng.choice(["2.4.3", "2.5.0"])],
        ["firmware", "bios", "vendor", "Dell Inc."],
    ]
    for bank in range(min(mem_gib // 16, 16)):
        facts += [["memory", f"bank:0:{bank}", "size", 16 * GIB],
                  ["memory", f"bank:0:{bank}", "clock", 2400000000]]
    for nic in range(nics):
        name = f"eth{nic}"
        facts += [["network", name, "serial", _mac(rng)], ["network", name, "link", "yes"],
                  ["network", name, "driver", "ixgbe"], ["network", name, "speed", "10Gbps"],
                  ["network", name, "businfo", f"pci@0000:0{nic}:00.0"]]
        if nic == 0:
            facts += [["network", name, "ipv4", f"198.51.100.{10 + index % 240}"],
                      ["network", name, "ipv4-network", "198.51.100.0"],
                      ["network", name, "ipv4-cidr", 24]]
    for sock in range(sockets):
        facts += [["cpu", f"physical_{sock}", "product", "Intel(R) Xeon(R) CPU E5-2650 v4"],
                  ["cpu", f"physical_{sock}", "cores", cores],
                  ["cpu", f"physical_{sock}", "threads", cores * 2],
                  ["cpu", f"physical_{sock}", "frequency", 2200000000]]
    facts += [["cpu", "physical", "number", sockets],
              ["cpu", "logical", "number", sockets * cores * 2],
              ["memory", "total", "size", mem_gib * GIB],
              ["system", "ipmi", "channel", 1],
              ["cpu", "logical", "loops_per_sec", rng.randint(10000, 11000)]]
    for cpu in range(sockets * cores * 2):
        facts += [["cpu", f"logical_{cpu}", "bogomips", f"{4400 + rng.random():.2f}"],
                  ["cpu", f"logical_{cpu}", "loops_per_sec", rng.randint(440, 460)]]
    for name in disk_names:
        facts.append(["disk", name, "standalone_read_1M_KBps", rng.randint(190000, 200000)])
    return facts


def fleet(count: int, seed: int = 42) -> dict[str, list[list[Any]]]:
    """``count`` nodes named ``node-00000``..., models spread over :data:`MODELS`."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    names = list(MODELS)
    weights = [3, 10, 4, 2, 2]
    return {f"node-{i:05d}": node_facts(rng.choices(names, weights)[0], rng, i)
            for i in range(count)}
