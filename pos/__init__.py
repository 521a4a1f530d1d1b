"""The point-of-sale service over HTTP: shifts, receipts, returns, journal, discounts, catalog."""

__version__ = "0.1.0"
