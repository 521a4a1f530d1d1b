"""Shifts of a till: opening float, cash in and out, X and Z reports, closing count."""
