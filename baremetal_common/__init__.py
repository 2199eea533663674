"""What the conductor plugins, discoverd and the ahc tools share, and nothing else.

A leaf of the package graph: it imports none of ``ironic_tripleo``, ``discoverd``,
``ahc_rules`` or ``ramdisk``, so each of them can use it without importing the others
(``tests/unit/test_package_graph.py`` keeps it so): the openstacksdk connection to
Ironic (``cloud``), Ironic's capabilities string (``capabilities``), MAC parsing
(``mac``), the node-context log prefix (``node_log``) and the templated exception
base (``errors``).
"""
