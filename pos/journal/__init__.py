"""The tamper-evident journal of closed fiscal documents: a SHA-256 hash chain per till."""
