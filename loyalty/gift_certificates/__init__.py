"""Gift certificates: sold at the till as a liability, redeemed as a payment, kept on a ledger."""
