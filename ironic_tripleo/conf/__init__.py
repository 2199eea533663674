"""oslo.config options of ironic_tripleo, one module per option group.

Every module exposes ``GROUP``, ``opts`` and ``register(conf)``; the plugin that
reads a group registers it on Ironic's global CONF when it is loaded, and
``opts.list_opts`` gathers them all for ``oslo-config-generator``.
"""
