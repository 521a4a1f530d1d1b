"""Which receipts a caller may read and change: ``pos.core.scope`` applied to receipts.

A receipt is where its till is: a cashier reads the receipts of the tills they work at and
their own; outside that it does not exist for them (404 ``receipt_not_found``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pos.auth.approval import admit
from pos.core.context import Context
from pos.core.errors import NotFoundError
from pos.core.scope import Place, manages_tills, needs_opener, sees, visible_stores
from pos.core.security import Principal
from pos.receipts.model import Receipt
from pos.shifts.model import Shift


def receipt_not_found(receipt_id: int) -> NotFoundError:
    """Return the error for a receipt that does not exist or is outside the caller's scope."""
    return NotFoundError(f"No receipt {receipt_id}", code="receipt_not_found")


def sees_receipt(session: Session, viewer: Principal, receipt: Receipt) -> bool:
    """Tell whether the viewer may read a receipt: theirs, or of a till in their scope."""
    opener = None
    if needs_opener(viewer, receipt.store_id, receipt.till_id):
        opener = session.scalar(select(Shift.opened_by_id).where(Shift.id == receipt.shift_id))
    return sees(viewer, Place(receipt.store_id, receipt.till_id, opener),
                made_by_id=receipt.cashier_id)


def visible_receipts(statement: Any, viewer: Principal) -> Any:
    """Narrow a SELECT of receipts to those the viewer may read (as :func:`sees_receipt`)."""
    stores = visible_stores(viewer)
    if stores is not None:
        statement = statement.where(Receipt.store_id.in_(stores))
    if manages_tills(viewer):
        return statement
    opened = select(Shift.id).where(Shift.opened_by_id == viewer.user_id)
    return statement.where(or_(Receipt.till_id.in_(viewer.till_ids),
                               Receipt.shift_id.in_(opened),
                               Receipt.cashier_id == viewer.user_id))


def admit_change(session: Session, ctx: Context, receipt: Receipt, shift: Shift) -> int | None:
    """Let the actor change a receipt of their scope; outside it 404 unless a manager approves.

    Return the approving manager's id when the receipt was outside the actor's scope.
    """
    return admit(session, ctx.actor, Place(receipt.store_id, receipt.till_id, shift.opened_by_id),
                 action="others_receipt", target=f"receipt:{receipt.id}", now=ctx.now,
                 not_found=receipt_not_found(receipt.id))
