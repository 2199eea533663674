"""QuintupleO: OpenStack Nova servers standing in for bare-metal machines.

``power_states`` reads Nova's state, ``clouds`` shares one openstacksdk connection
per cloud, ``server`` is the mapping of power and boot-device requests onto a
server; the Ironic interfaces (``power``, ``management``), the virtual BMC backend
(``vbmc_backend``) and ``build_nodes`` sit on top of it.
"""
