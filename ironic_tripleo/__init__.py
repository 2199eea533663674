"""ironic-tripleo: the bare-metal half of TripleO as plugins for an unmodified Ironic."""
