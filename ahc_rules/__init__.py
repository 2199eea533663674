"""Role matching in the SpinalStack ahc-match tradition."""
