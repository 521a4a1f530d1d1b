"""Scales: the interface, the acceptance rule, Toledo 8217 and MT-SICS drivers, a fake."""
