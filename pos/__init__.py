"""The point-of-sale service: shifts, receipts, discounts, catalog, devices, over HTTP."""

__version__ = "0.1.0"
