"""The sale at the till: scan or search, lines, the discounts' explanation, pay and close.

Each view parses the form, calls the API's use case and renders the receipt panel again.
"""

from __future__ import annotations

import re
from typing import Any

from flask import render_template, request

from loyalty.cards.numbers import is_valid_number
from pos.catalog.service import list_items
from pos.core.barcode import is_digits
from pos.core.errors import NotFoundError, ValidationError
from pos.core.request import current_db
from pos.receipts import service as receipts
from pos.receipts.lines import LineRequest
from pos.receipts.report import discount_report
from pos.screens.till import (
    blp,
    open_receipt_id,
    parse_amount,
    receipt_fragment,
    receipt_id_for_sale,
    till_context,
)
from pos.screens.till_card import attach
from pos.screens.web import principal

# "3*4600000000015": a quantity typed before the code, as tills have always done.
_TIMES = re.compile(r"^\s*(?P<quantity>\d+(?:[.,]\d{1,3})?)\s*[*xX]\s*(?P<code>\S.*)$")
SEARCH_LIMIT = 8
PAYMENT_TYPES = ("cash", "card")
# What the API answers for a code no item has; card numbers ("29...") read as weight barcodes.
NOT_AN_ITEM = ("barcode_not_found", "item_not_found", "plu_not_found")


@blp.post("/scan")
def scan() -> Any:
    """Add what was scanned (a barcode) or typed (a barcode, an SKU, else a name to search)."""
    text, via = request.form.get("code", "").strip(), request.form.get("via", "keys")
    if not text:
        return "", 204
    quantity = None
    times = _TIMES.match(text)
    if times:
        quantity, text = times["quantity"].replace(",", "."), times["code"].strip()
    if via == "scan" or is_digits(text):
        wanted = LineRequest(code=text, quantity=quantity)
    else:
        wanted = LineRequest(sku=text if via == "pick" else text.upper(), quantity=quantity)
    try:
        receipt = receipts.add_line(till_context(), receipt_id_for_sale(), wanted)
    except NotFoundError as error:
        if quantity is None and is_valid_number(text) and error.code in NOT_AN_ITEM:
            return _card_or(text, error)
        if error.code != "item_not_found":
            raise
        if via == "scan":
            raise
        return _search(text)
    return receipt_fragment(receipt, scanned=True)


def _card_or(text: str, not_an_item: NotFoundError) -> Any:
    # No item has this code, and it is shaped as a card number (EAN-13, as loyalty issues
    # them): attach the card it names; a number no card has is still "no such item".
    try:
        return attach(text)
    except ValidationError as error:
        if error.code == "unknown_card":
            raise not_an_item from None
        raise


def _search(text: str) -> Any:
    principal()
    found = list_items(current_db(), page=1, page_size=SEARCH_LIMIT, q=text, is_active=True)
    headers = {"HX-Retarget": "#search", "HX-Reswap": "innerHTML"}
    return render_template("screens/till/_search.html", items=found.items, text=text), \
        200, headers


@blp.post("/line/quantity")
def change_quantity() -> Any:
    """Change the chosen line's quantity."""
    line_no = _line_no()
    change = receipts.LineChange(request.form.get("quantity", "").strip().replace(",", "."))
    return receipt_fragment(receipts.change_line(till_context(), open_receipt_id(), line_no,
                                                 change))


@blp.post("/line/remove")
def remove_line() -> Any:
    """Remove the chosen line."""
    return receipt_fragment(receipts.remove_line(till_context(), open_receipt_id(),
                                                 _line_no()))


@blp.get("/line/discounts")
def line_discounts() -> Any:
    """Explain a line's discounts: what fired, by which rule, what was displaced."""
    line_no = _line_no(request.args.get("line_no"))
    report = discount_report(receipts.get_receipt(current_db(), open_receipt_id(),
                                                  principal()))
    line = next((x for x in report["lines"] if x["line_no"] == line_no), None)
    if line is None:
        raise NotFoundError(f"No line {line_no}", code="line_not_found")
    return render_template("screens/till/_discounts.html", line=line)


def _line_no(text: str | None = None) -> int:
    value = (text if text is not None else request.form.get("line_no", "")).strip()
    if not is_digits(value) or not 0 < int(value) < 10**6:
        raise ValidationError("Choose a line first", code="invalid_line", field="line_no")
    return int(value)


@blp.post("/pay")
def pay() -> Any:
    """Take a payment by cash (it may exceed what is due: change) or card (what is due)."""
    kind = request.form.get("type", "")
    if kind not in PAYMENT_TYPES:
        raise ValidationError("Pay by cash or card", code="unknown_payment_type", field="type")
    receipt_id = open_receipt_id()
    typed = request.form.get("amount", "").strip()
    if typed:
        amount = parse_amount(typed, "amount")
    else:
        amount = receipts.get_receipt(current_db(), receipt_id, principal()).due_minor
    receipt = receipts.add_payment(till_context(), receipt_id,
                                   receipts.PaymentRequest(type=kind, amount_minor=amount))
    return receipt_fragment(receipt)


@blp.post("/close")
def close() -> Any:
    """Close the fully paid receipt; show its number and the change to give."""
    receipt = receipts.close_receipt(till_context(), open_receipt_id())
    return receipt_fragment(None, closed=receipt, card_changed=True)


@blp.post("/void")
def void() -> Any:
    """Void the open receipt (with lines it needs the void right)."""
    receipts.void_receipt(till_context(), open_receipt_id())
    return receipt_fragment(None, card_changed=True)
