"""Blind close: the cashier counts the drawer without being shown what it should hold.

In a store with ``blind_close`` on, a closing count by someone without the ``view_reports``
right is blind, whatever the till says, and what would reveal the expected cash is kept from
them: the X report, and the expected cash, difference and Z report of a blind-closed shift.
A blind count off by more than the store's tolerance is refused with ``recount_required`` (the
attempt is audited, its amount never echoed) up to ``blind_recounts`` times; after that the
difference needs a manager's approval, as for any close.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session

from pos.core import audit
from pos.core.errors import ConflictError, ForbiddenError
from pos.core.security import Actor, Principal, Right
from pos.shifts.model import Shift
from pos.stores.model import Store

HIDDEN_FIELDS = ("expected_cash_minor", "difference_minor", "z_report")


def sees_cash(principal: Principal) -> bool:
    """Tell whether the principal may see expected cash in a blind-close store."""
    return principal.can(Right.VIEW_REPORTS)


def is_blind(store: Store, principal: Principal, asked: bool) -> bool:
    """Tell whether a closing count is blind: asked by the till, or forced by the store."""
    return asked or (store.blind_close and not sees_cash(principal))


def refuse_x_report(store: Store, principal: Principal) -> None:
    """Keep the X report (it shows the drawer's cash) from cashiers of a blind-close store."""
    if store.blind_close and not sees_cash(principal):
        raise ForbiddenError("In a blind-close store the X report, which shows the expected "
                             "cash, is for managers", code="x_report_restricted")


def check_count(session: Session, actor: Actor, shift: Shift, store: Store,
                counted_minor: int, difference_minor: int, now: datetime) -> None:
    """Refuse a blind count beyond tolerance while recounts are left (committed, audited).

    A count within tolerance, one that comes with a manager's approval, and one made after the
    recounts are spent go on to the usual close (which asks for approval beyond tolerance).
    """
    if abs(difference_minor) <= store.max_cash_difference_minor or actor.approval is not None:
        return
    if shift.blind_recounts_used >= store.blind_recounts:
        return
    shift.blind_recounts_used += 1
    audit.record(session, at=now, action="blind_count_refused", user_id=actor.user_id,
                 target=f"shift:{shift.id}", store_id=shift.store_id,
                 details={"counted_minor": counted_minor, "attempt": shift.blind_recounts_used},
                 client_address=actor.client_address)
    session.commit()  # the attempt counts although the close is refused
    raise ConflictError("The count does not match what the drawer should hold; count again",
                        code="recount_required",
                        extra={"recounts_left": store.blind_recounts - shift.blind_recounts_used})


def redact(shift: Shift, principal: Principal) -> Any:
    """Return the shift as this principal may see it: cash figures hidden after a blind close."""
    if sees_cash(principal) or not shift.is_blind_close:
        return shift
    columns = {column.key: getattr(shift, column.key) for column in Shift.__table__.columns}
    return SimpleNamespace(**{**columns, **dict.fromkeys(HIDDEN_FIELDS)}, cash_hidden=True)
