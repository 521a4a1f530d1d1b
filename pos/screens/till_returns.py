"""Returns and copies at the till: find a sale by its number, return lines, reprint.

A sale is found by the number printed on it, among this till's receipts only (numbers are
per till); the return itself is the API's use case (:func:`pos.receipts.returns.create_return`),
which splits the refund over the sale's payments and asks for a manager's approval where it
must (a return without the receipt). A copy goes to the till's printer through the device
service, as ``POST /api/v1/receipts/{id}/copy`` sends it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from flask import render_template, request
from sqlalchemy import func, select

from pos.core.barcode import is_digits
from pos.core.errors import NotFoundError, ValidationError
from pos.core.request import current_db, current_settings
from pos.hardware import client
from pos.receipts import returns
from pos.receipts import service as receipts
from pos.receipts.model import CLOSED, MILLI, SALE, Receipt, ReceiptLine
from pos.receipts.search import ReceiptQuery, list_receipts
from pos.screens.till import blp, receipt_fragment, till_context, till_id
from pos.screens.till_state import open_sale_id
from pos.screens.web import principal

MAX_RETURN_LINES = 500
WITHOUT_RECEIPT_ROWS = 4


def _number(text: str | None, field: str = "number") -> int:
    value = (text or "").strip()
    if not is_digits(value) or not 0 < int(value) < 2**62:
        raise ValidationError("Type or scan the receipt's number", code="invalid_number",
                              field=field)
    return int(value)


def receipt_by_number(number: int | None, kind: str | None = SALE) -> Receipt:
    """Return this till's closed receipt with ``number`` (None: the latest), as the API sees it."""
    query = ReceiptQuery(till_id=till_id(), state=CLOSED, kind=kind, number=number)
    page = list_receipts(current_db(), query, page=1, page_size=1, viewer=principal())
    if not page.items:
        raise NotFoundError(f"This till has no closed {kind or 'receipt'} No. {number}"
                            if number else "This till has closed no receipt yet",
                            code="receipt_not_found", field="number")
    return receipts.get_receipt(current_db(), page.items[0].id, principal())


def returned_before(receipt_id: int) -> dict[int, Decimal]:
    """Return the quantity of each sale line already returned, by line id."""
    with current_db().read() as session:
        rows = session.execute(
            select(ReceiptLine.original_line_id, func.sum(ReceiptLine.quantity_milli))
            .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
            .where(Receipt.original_receipt_id == receipt_id, Receipt.state == CLOSED)
            .group_by(ReceiptLine.original_line_id))
        done: defaultdict[int, Decimal] = defaultdict(Decimal)  # a line not returned: 0
        for line_id, milli in rows:
            if line_id is not None:
                done[int(line_id)] = Decimal(int(milli)) / MILLI
        return done


@blp.get("/return")
def return_form() -> Any:
    """Show the sale of the number typed or scanned, its lines to pick for the return.

    Without a number: the form of a return without the receipt (items by code).
    """
    till_id()  # signed in at a till, or sent to sign in
    text = request.args.get("number", "").strip()
    uid = str(uuid.uuid4())
    if not text:
        return render_template("screens/till/_return.html", sale=None, client_uuid=uid,
                               rows=range(1, WITHOUT_RECEIPT_ROWS + 1))
    sale = receipt_by_number(_number(text))
    return render_template("screens/till/_return.html", sale=sale, client_uuid=uid,
                           returned=returned_before(sale.id))


def _wanted_lines() -> tuple[returns.ReturnLine, ...]:
    wanted: list[returns.ReturnLine] = []
    for name, value in request.form.items():
        if name.startswith("qty-") and value.strip() and len(wanted) < MAX_RETURN_LINES:
            wanted.append(returns.ReturnLine(quantity=value.strip().replace(",", "."),
                                             line_no=_number(name[4:], "line_no")))
    for row in range(1, WITHOUT_RECEIPT_ROWS + 1):
        code = request.form.get(f"code-{row}", "").strip()
        if code:
            quantity = request.form.get(f"count-{row}", "").strip().replace(",", ".") or "1"
            wanted.append(returns.ReturnLine(quantity=quantity, code=code) if is_digits(code)
                          else returns.ReturnLine(quantity=quantity, sku=code.upper()))
    return tuple(wanted)


def _original_id() -> int | None:
    text = request.form.get("original_receipt_id", "").strip()
    if not text:
        return None
    original = receipts.get_receipt(current_db(), _number(text, "original_receipt_id"),
                                    principal())
    if original.till_id != till_id():  # a sale of another till is not returned from here
        raise NotFoundError(f"No receipt {text}", code="receipt_not_found",
                            field="original_receipt_id")
    return original.id


@blp.post("/return")
def make_return() -> Any:
    """Return the chosen lines (or items, without the receipt); refunded as the API splits it."""
    cmd = returns.NewReturn(till_id=till_id(), lines=_wanted_lines(),
                            original_receipt_id=_original_id(),
                            client_uuid=request.form.get("client_uuid") or None)
    done = returns.create_return(till_context(), cmd).receipt
    sale_id = open_sale_id(current_db(), till_id(), principal())
    sale = receipts.get_receipt(current_db(), sale_id, principal()) if sale_id else None
    return receipt_fragment(sale, returned=done)


@blp.post("/reprint")
def reprint() -> Any:
    """Print a copy of this till's receipt by number (empty: the last one closed)."""
    text = request.form.get("number", "").strip()
    receipt = receipt_by_number(_number(text) if text else None, kind=None)
    client.ask(current_settings(), {"op": "print", "till_id": receipt.till_id,
                                    "what": "receipt_copy", "receipt_id": receipt.id})
    return render_template("screens/till/_reprinted.html", receipt=receipt)
