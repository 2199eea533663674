"""ahc-match and ahc-report command lines."""
