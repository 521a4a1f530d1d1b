"""Loyalty at the till: attach a card, pay part in points, pay part with a gift certificate.

Each view calls the API's own use case (:mod:`pos.receipts.cards`, the ``points`` and
``gift_certificate`` payment types, the certificate look-up); what the panels show besides
(the most payable in points, a certificate's balance) is what those use cases answer.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from loyalty.gift_certificates.lookup import look_up
from loyalty.gift_certificates.tender import PAYMENT_TYPE as CERTIFICATE
from loyalty.gift_certificates.wiring import code_book
from loyalty.points.tender import POINTS
from pos.core.request import current_db, current_settings
from pos.receipts import cards
from pos.receipts import service as receipts
from pos.screens.till import (
    blp,
    open_receipt_id,
    parse_amount,
    receipt_fragment,
    till_context,
)
from pos.screens.till_card import attach, points_text, with_card
from pos.screens.web import principal


@blp.post("/card")
def attach_card() -> Any:
    """Attach the loyalty card whose number was typed or scanned in the card panel."""
    return attach(request.form.get("card_code", ""))


@blp.post("/card/remove")
def detach_card() -> Any:
    """Take the card off the sale (before any payment)."""
    return with_card(cards.detach_card(till_context(), open_receipt_id()))


@blp.get("/points")
def points_panel() -> Any:
    """Show the points panel: the card's points and the most the sale may take in points."""
    payable = cards.points_payable(till_context(), open_receipt_id())
    return render_template("screens/till/_points.html", payable=payable,
                           points=points_text(int(payable["balance_cp"])))


@blp.post("/points")
def pay_points() -> Any:
    """Pay part of the sale in points (empty: the most the API allows now)."""
    receipt_id = open_receipt_id()
    typed = request.form.get("amount", "").strip()
    if typed:
        amount = parse_amount(typed, "amount")
    else:
        amount = int(cards.points_payable(till_context(), receipt_id)["max_amount_minor"])
    receipt = receipts.add_payment(till_context(), receipt_id,
                                   receipts.PaymentRequest(type=POINTS, amount_minor=amount))
    return with_card(receipt)


@blp.get("/certificate")
def certificate_panel() -> Any:
    """Show the certificate panel: a code to type or scan."""
    principal()
    return render_template("screens/till/_certificate.html", status=None, code="")


@blp.post("/certificate/look-up")
def certificate_look_up() -> Any:
    """Show a certificate's balance, and what it would pay of the sale, before paying."""
    code = request.form.get("code", "")
    status = look_up(till_context(), code_book(current_settings()), code)
    due = receipts.get_receipt(current_db(), open_receipt_id(), principal()).due_minor
    return render_template("screens/till/_certificate.html", status=status, code=code,
                           suggested=min(status.balance_minor, due))


@blp.post("/certificate")
def pay_certificate() -> Any:
    """Pay part of the sale with a gift certificate's balance."""
    receipt_id = open_receipt_id()
    amount = parse_amount(request.form.get("amount"), "amount")
    payment = receipts.PaymentRequest(type=CERTIFICATE, amount_minor=amount,
                                      details={"code": request.form.get("code", "")})
    return receipt_fragment(receipts.add_payment(till_context(), receipt_id, payment))
