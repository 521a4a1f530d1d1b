"""The sale's prices at the till: upsell hints, a manual discount, a weight from the scale.

Hints are what the discount engine answers for the open receipt as it is stored (the same
pricing a quote runs, read-only); a manual discount is :func:`pos.receipts.manual.give`, which
asks for a manager's approval above the cashier's limit; a weighed line reads the till's scale
through the device service (stable readings only) and the use case reads it again, as the
API's ``weight_source: "scale"`` does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import render_template, request
from marshmallow import ValidationError as SchemaError

from pos.core.barcode import is_digits
from pos.core.errors import ValidationError
from pos.core.request import current_db, current_settings
from pos.discounts.tree import active_rules
from pos.hardware import client
from pos.receipts import manual
from pos.receipts import service as receipts
from pos.receipts.lines import LineRequest
from pos.receipts.pricing import price_lines
from pos.receipts.quote import receipt_subject
from pos.receipts.schemas import ManualDiscountInSchema
from pos.screens.till import (
    blp,
    open_receipt_id,
    receipt_fragment,
    receipt_id_for_sale,
    till_context,
    till_id,
)
from pos.screens.till_state import open_sale_id
from pos.screens.web import principal

MANUAL = ManualDiscountInSchema()
SHOWN_HINTS = 3  # a cashier reads a few at a glance; a chain's rules may nearly fire by dozens


@blp.get("/hints")
def hints() -> Any:
    """Show what the sale lacks for discounts whose other conditions hold ("2 more ...")."""
    receipt_id = open_sale_id(current_db(), till_id(), principal())
    found: list[dict[str, Any]] = []
    if receipt_id is not None:
        ctx = till_context()
        with ctx.db.read() as session:
            subject = receipt_subject(session, ctx, receipt_id)
            if subject.inputs:
                pricing = price_lines(session, active_rules(ctx.registry.caches, session),
                                      subject.inputs, subject.facts)
                found = closest([hint.to_dict() for hint in pricing.hints])
    return render_template("screens/till/_hints.html", hints=found[:SHOWN_HINTS],
                           more=max(len(found) - SHOWN_HINTS, 0))


def closest(hints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order hints by what the buyer is likeliest to add: fewest items first, then least money."""
    return sorted(hints, key=lambda hint: (
        hint["shortfall_quantity"] is None, Decimal(hint["shortfall_quantity"] or 0),
        hint["shortfall_minor"] or 0))


def _manual_request() -> manual.ManualRequest:
    value = request.form.get("value", "").strip().replace(",", ".")
    body: dict[str, Any] = {"reason": request.form.get("reason", "").strip()[:200]}
    if value.endswith("%"):
        body["percent"] = value[:-1].strip()
    else:
        body["amount"] = value
    if request.form.get("scope") == "line":
        line_no = request.form.get("line_no", "").strip()
        if not is_digits(line_no):
            raise ValidationError("Choose a line first", code="invalid_line", field="line_no")
        body["line_no"] = line_no
    try:
        data = MANUAL.load(body)
    except SchemaError as error:
        messages = error.messages
        field = next(iter(messages), "value") if isinstance(messages, dict) else "value"
        raise ValidationError("Type a percent (10%) or an amount (50.00)",
                              code="invalid_discount", field=str(field)) from None
    return manual.ManualRequest(**data)


@blp.post("/discount")
def manual_discount() -> Any:
    """Give a manual discount on the chosen line or the whole sale."""
    wanted = _manual_request()
    return receipt_fragment(manual.give(till_context(), open_receipt_id(), wanted))


@blp.post("/weigh")
def weigh() -> Any:
    """Add a weighed item (by SKU, PLU or barcode) at the weight the scale reads, stable only."""
    text = request.form.get("code", "").strip()
    if not text:
        raise ValidationError("Type the weighed item's SKU or code", code="invalid_item",
                              field="code")
    reading = client.weigh(current_settings(), till_id())
    wanted = LineRequest(code=text if is_digits(text) else None,
                         sku=None if is_digits(text) else text.upper(),
                         quantity=str(reading["net_kg"]), weight_source="scale")
    receipt = receipts.add_line(till_context(), receipt_id_for_sale(), wanted)
    return receipt_fragment(receipt, scanned=True)
