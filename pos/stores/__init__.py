"""Stores and their tills (cash registers)."""
