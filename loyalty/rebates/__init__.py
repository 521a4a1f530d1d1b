"""Retro-bonuses and trade allowances: agreements, accrual, claims, funds and settlement."""
