"""Bonus points: lots and a ledger per card, earned on sales, spent as a payment."""
