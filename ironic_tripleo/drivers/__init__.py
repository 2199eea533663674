"""Ironic driver composition: the hardware types ironic_tripleo registers."""
