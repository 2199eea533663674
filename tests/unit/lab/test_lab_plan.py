"""Lab.plan: what a new lab will be made of, before anything is created."""

from ironic_tripleo.lab import layout
from ironic_tripleo.lab.lab import Lab
from ironic_tripleo.lab.node import NodeSpec


def test_every_bmc_gets_its_own_port(tmp_path):
    # A 100-node lab once planned two BMCs on one UDP port (each picked and released
    # in turn): the virtual BMC refused its config. Twenty plans of a full lab make a
    # repeat very likely if ports are still picked that way.
    for _ in range(20):
        plan = Lab(tmp_path).plan([NodeSpec() for _ in range(layout.MAX_NODES)], "auto",
                                  None, "admin", None)
        ports = [node["bmc"]["port"] for node in plan["nodes"]]
        assert len(set(ports)) == len(ports)
