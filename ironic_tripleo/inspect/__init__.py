"""Ironic inspect interface backed by discoverd, and its small HTTP client."""
