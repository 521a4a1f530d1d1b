"""Wholesale customers: who they are, their chains, credit on account and their payments."""
