"""Fiscal documents: gapless per-till numbering, the durable outbox and its worker."""
