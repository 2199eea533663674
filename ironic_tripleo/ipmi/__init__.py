"""Native IPMI for Ironic through pyghmi: shared sessions, power and management."""
