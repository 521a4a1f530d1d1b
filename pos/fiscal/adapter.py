"""Map a closed document's canonical content to the device library's fiscal data model."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from devices.fiscal.base import FiscalReceipt, Payment, PaymentKind, ReceiptKind, ReceiptLine, Vat
from pos.core.money import format_minor

_PAYMENT_KINDS = {"cash": PaymentKind.CASH, "card": PaymentKind.CARD}
_VATS = {v.value: v for v in Vat}


def to_fiscal_receipt(document: dict[str, Any]) -> FiscalReceipt:
    """Build the registrar's receipt from a sale or return document."""
    lines = tuple(_line(line) for line in document["lines"])
    payments = tuple(
        Payment(_PAYMENT_KINDS.get(p["kind"], PaymentKind.OTHER),
                p.get("tendered_minor") or p["amount_minor"])
        for p in document["payments"]
    )
    kind = ReceiptKind.RETURN if document["kind"] == "return" else ReceiptKind.SALE
    footer = tuple(f"{d['name']}: -{format_minor(d['amount_minor'])}"
                   for d in document.get("discounts", ()))
    if any(line.get("is_manual_weight") for line in document["lines"]):
        footer += ("MANUAL WEIGHT",)
    return FiscalReceipt(kind=kind, lines=lines, payments=payments,
                         total_minor=document["total_minor"], footer=footer,
                         operator=document.get("cashier", ""))


def _line(line: dict[str, Any]) -> ReceiptLine:
    name = line["name"] + (" (manual weight)" if line.get("is_manual_weight") else "")
    # A markup (negative discount) is printed as a dearer line, since registrars take
    # discounts only as positive amounts.
    discount = line["discount_minor"]
    return ReceiptLine(
        name=name, quantity=Decimal(line["quantity"]), price_minor=line["unit_price_minor"],
        amount_minor=line["base_amount_minor"] if discount >= 0 else line["amount_minor"],
        vat=_VATS.get(line["vat_rate"], Vat.NONE), discount_minor=max(discount, 0),
    )
