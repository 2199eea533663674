"""Processing hooks: small plugins in the ``discoverd.hooks`` entry-point namespace."""
