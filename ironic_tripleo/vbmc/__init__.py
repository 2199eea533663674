"""Virtual BMC: an IPMI-over-LAN (RMCP+) server fronting many nodes from one process.

Each node gets its own UDP port and credentials; cipher suites 3 and 17.

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
