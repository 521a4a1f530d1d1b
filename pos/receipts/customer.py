"""A wholesale customer at the till: attached to an open receipt by its code or card, or taken off.

The customer is checked by loyalty (:func:`loyalty.customers.service.customer_for_sale`): an
unknown or blocked one is refused before anything is written. The receipt keeps the customer's
code as its ``customer_ref`` (what paying on account, rebate credit and accrual read); pricing
then sees the customer's purchase history.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from loyalty.customers.service import customer_for_sale
from pos.core.context import Context
from pos.receipts.model import Receipt
from pos.receipts.repricing import reprice
from pos.receipts.service import load_for_change
from pos.stores.model import Store


def attach_customer(ctx: Context, receipt_id: int, *, code: str | None = None,
                    card_code: str | None = None) -> Receipt:
    """Attach a customer to an open receipt with no payments yet, and price it again."""
    with ctx.db.transaction() as session:
        receipt = load_for_change(session, ctx, receipt_id)
        receipt.ensure_no_payments()
        customer = customer_for_sale(session, code=code, card_code=card_code)
        return _set(session, ctx, receipt, customer.code)


def detach_customer(ctx: Context, receipt_id: int) -> Receipt:
    """Take the customer off an open receipt with no payments yet, and price it again."""
    with ctx.db.transaction() as session:
        receipt = load_for_change(session, ctx, receipt_id)
        receipt.ensure_no_payments()
        return _set(session, ctx, receipt, None)


def _set(session: Session, ctx: Context, receipt: Receipt, customer_ref: str | None) -> Receipt:
    store = session.get(Store, receipt.store_id)
    assert store is not None
    receipt.customer_ref = customer_ref
    reprice(session, ctx, receipt, store)
    return receipt
