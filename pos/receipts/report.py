"""The applied-discounts report of a receipt, built from what was stored when it was priced."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pos.receipts.model import Receipt


def discount_report(receipt: Receipt) -> dict[str, Any]:
    """Return per line what fired and what was displaced, and a per-discount summary."""
    displaced: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry in receipt.pricing_trace or ():
        if entry.get("event") == "displaced":
            displaced[entry["line_no"]].append(entry)
    lines = [{
        "line_no": line.line_no, "sku": line.sku, "name": line.name,
        "base_amount_minor": line.base_amount_minor, "discount_minor": line.discount_minor,
        "amount_minor": line.amount_minor, "applied": list(line.discounts or ()),
        "displaced": displaced.get(line.line_no, []),
    } for line in receipt.lines]
    return {"receipt_id": receipt.id, "state": receipt.state,
            "total_minor": receipt.total_minor, "discount_minor": receipt.discount_minor,
            "lines": lines, "summary": receipt.discount_summary(),
            "manual_discounts": list(receipt.manual_discounts or ())}
