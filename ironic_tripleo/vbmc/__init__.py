"""Virtual BMC: an IPMI-over-LAN (RMCP+) server fronting many nodes from one process.

Each node gets its own UDP port and credentials; cipher suites 3 and 17.

Why not pyghmi's server (``pyghmi.ipmi.bmc.Bmc``, which virtualbmc subclasses): its
``ServerSession`` hard-codes cipher suite 3 (HMAC-SHA1, in the Open Session answer
and in Get Channel Cipher Suites), while Ironic's ipmitool and recent BMCs default
to 17 (HMAC-SHA256); and it serves from pyghmi's own process-wide loop
(``Session.wait_for_rsp`` in ``Bmc.listen``), one BMC per process in virtualbmc,
which cannot give many BMCs one thread, a pool for slow backends and our own timers.
The protocol parts here are plain functions over bytes, tested with ipmitool as the
client (``tests/integration/test_vbmc_ipmitool.py``).

- ``packet``: RMCP / IPMI 1.5 / RMCP+ framing and IPMI messages (no I/O).
- ``crypto``: cipher suites, RAKP codes, session keys, integrity, AES-CBC-128.
- ``session``: sessions of one BMC, sequence windows, idle expiry.
- ``handshake``: Open Session and RAKP 1-4.
- ``channel``: channel authentication capabilities, cipher suites, device id.
- ``commands``: chassis commands mapped onto a ``backend.NodeBackend``.
- ``bmc``: ``VirtualBmc``, one node's protocol object (datagram in, datagram out).
- ``server``: ``BmcServer``, the one-thread selectors loop serving every node.
- ``config``: the YAML/JSON config file and building a server from it.
- ``memory_backend``: an in-memory machine for tests and benchmarks.
"""
