"""The till screen's blueprint and what its views share: the till, the context, the fragments.

The till a browser works at is chosen at sign-in and kept in the session; every use case runs
with it as the calling till (as ``X-Till-Id`` does for the API), so a receipt of another till
is refused by the use case itself.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request, session

from pos.core.context import Context
from pos.core.errors import NotFoundError, ValidationError
from pos.core.money import MoneyFormatError, parse_minor
from pos.core.request import (
    barcode_layouts,
    client_address,
    current_clock,
    current_db,
    current_registry,
    current_settings,
)
from pos.core.security import Actor, Approval
from pos.receipts import opening
from pos.receipts.model import Receipt
from pos.screens.till_state import TillState, open_sale_id, till_state
from pos.screens.web import principal, screen_blueprint

blp = screen_blueprint("till", __name__, "/till")


def till_id() -> int:
    """Return the till this browser signed in at."""
    principal()
    return int(session["till_id"])


def till_context() -> Context:
    """Return the context a use case runs in for the signed-in cashier at this till.

    A manager present approves in place: the approval form (``screens/_approval.html``) sends
    the same request again with their user name and PIN (or password), which the use case
    checks, throttles and audits as it does ``X-Manager-Credentials``.
    """
    actor = Actor(principal(), approval_in_form(), client_address())
    return Context(current_db(), current_registry(), actor, current_clock().now(),
                   tuple(barcode_layouts()), till_id())


def approval_in_form() -> Approval | None:
    """Return the manager's approval the request's form carries, if any."""
    username = request.form.get("approval_user", "").strip()
    secret = request.form.get("approval_pin", "")
    if not username or not secret:
        return None
    return Approval(username=username, secret=secret)


def current_state() -> TillState:
    """Return the till as the signed-in cashier sees it now."""
    return till_state(current_db(), till_id(), principal())


def parse_amount(text: str | None, field: str) -> int:
    """Parse an amount typed at the till ("150", "150.5", "150,50") into minor units."""
    cleaned = (text or "").strip().replace(",", ".")
    try:
        amount = parse_minor(cleaned, current_settings().currency_exponent)
    except MoneyFormatError:
        raise ValidationError(f"{text!r} is not an amount", code="invalid_amount",
                              field=field) from None
    if amount < 0:
        raise ValidationError("An amount is not negative", code="invalid_amount", field=field)
    return amount


def receipt_fragment(receipt: Receipt | None, **extra: Any) -> str:
    """Render the receipt panel (lines, totals, payments), clearing any earlier message."""
    return render_template("screens/till/_receipt.html", receipt=receipt, **extra)


def receipt_id_for_sale() -> int:
    """Return the cashier's open receipt at this till, opening one if there is none."""
    found = open_sale_id(current_db(), till_id(), principal())
    if found is not None:
        return found
    return opening.create_receipt(till_context(), opening.NewReceipt(till_id())).receipt.id


def open_receipt_id() -> int:
    """Return the cashier's open receipt at this till, or say there is no sale in progress."""
    found = open_sale_id(current_db(), till_id(), principal())
    if found is None:
        raise NotFoundError("There is no sale in progress: scan an item first",
                            code="no_open_receipt")
    return found
