"""Virtual BMC: an IPMI-over-LAN server fronting many nodes from one process."""
