"""Sale receipts and returns: lines, pricing, payments, closing."""
