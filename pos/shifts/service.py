"""Use cases of a shift: open, cash in, cash out, X report, close with a Z report, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos.auth.approval import admit, authorize, outside_scope
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError
from pos.core.paging import Page, paginate
from pos.core.scope import Place, may_open_shift, needs_opener, sees, visible_stores
from pos.core.security import Actor, Principal, Right
from pos.fiscal.numbering import ensure_counter
from pos.fiscal.service import enqueue, record_document
from pos.receipts.model import OPEN as OPEN_RECEIPT
from pos.receipts.model import Receipt
from pos.shifts import blind
from pos.shifts.model import CASH_OUT, OPEN, CashMovement, Shift
from pos.shifts.report import shift_totals
from pos.stores.model import Store
from pos.stores.service import get_till, till_not_found


def open_shift(ctx: Context, till_id: int, float_minor: int) -> Shift:
    """Open a shift on a till with its opening cash; one open shift per till."""
    actor, now = ctx.actor, ctx.now
    try:
        with ctx.db.transaction() as session:
            till = get_till(session, till_id)
            if not may_open_shift(actor.principal, till.store_id, till.id):
                outside_scope(session, actor, till.store_id, action="open_shift",
                              target=f"till:{till.id}", now=now,
                              not_found=till_not_found(till_id), till_id=till.id)
            if not till.is_active:
                raise ConflictError(f"Till {till_id} is not active", code="till_inactive")
            if session.scalar(select(Shift.id).where(Shift.open_till_id == till_id)):
                raise _already_open(till_id)
            shift = Shift(store_id=till.store_id, till_id=till_id, open_till_id=till_id,
                          state=OPEN, opened_by_id=actor.user_id, opened_at=now,
                          opening_float_minor=float_minor)
            session.add(shift)
            session.flush()
            ensure_counter(session, till.store_id, till_id)
            enqueue(session, store_id=till.store_id, till_id=till_id, number=None,
                    kind="shift_open", document_id=shift.id, now=now,
                    payload=shift.opening_document(actor.principal.full_name))
            return shift
    except IntegrityError:
        raise _already_open(till_id) from None


def _already_open(till_id: int) -> ConflictError:
    return ConflictError(f"Till {till_id} already has an open shift", code="shift_already_open")


def _no_shift(shift_id: int) -> NotFoundError:
    return NotFoundError(f"No shift {shift_id}", code="shift_not_found")


def place_of(shift: Shift) -> Place:
    """Return where a shift is: its store, its till, its opener."""
    return Place(shift.store_id, shift.till_id, shift.opened_by_id)


def till_place(session: Session, principal: Principal, store_id: int, till_id: int) -> Place:
    """Return where work on a till happens, with its open shift's opener if the rule needs it."""
    opener = None
    if needs_opener(principal, store_id, till_id):
        opener = session.scalar(select(Shift.opened_by_id).where(Shift.open_till_id == till_id))
    return Place(store_id, till_id, opener)


def _shift_to_act_on(session: Session, actor: Actor, shift_id: int, action: str,
                     now: datetime, *, own_only: bool = False) -> Shift:
    # Out of the actor's scope the shift does not exist (404) unless a manager approves;
    # ``own_only``: another's shift, though in scope, needs the right or an approval.
    shift = session.get(Shift, shift_id, with_for_update=True)
    if shift is None:
        raise _no_shift(shift_id)
    admit(session, actor, place_of(shift), action=action, target=f"shift:{shift.id}", now=now,
          not_found=_no_shift(shift_id), made_by_id=shift.opened_by_id if own_only else None)
    return shift


def move_cash(ctx: Context, shift_id: int, kind: str, amount_minor: int, reason: str
              ) -> CashMovement:
    """Record a cash in or cash out; a cash out never exceeds the cash in the drawer."""
    if amount_minor <= 0:
        raise ValidationError("The amount is above zero", code="invalid_amount", field="amount")
    actor, now = ctx.actor, ctx.now
    with ctx.db.transaction() as session:
        shift = _shift_to_act_on(session, actor, shift_id, kind, now)
        shift.ensure_open()
        approver = None
        if kind == CASH_OUT:
            approver = authorize(session, actor, Right.CASH_OUT, action="cash_out",
                                 target=f"shift:{shift.id}", now=now, store_id=shift.store_id,
                                 till_id=shift.till_id)
            shift.ensure_can_pay_out(amount_minor,
                                     shift_totals(session, shift)["cash"]["expected_minor"])
        return record_movement(session, shift, kind, amount_minor, reason,
                               user_id=actor.user_id, approved_by_id=approver, now=now)


def record_movement(session: Session, shift: Shift, kind: str, amount_minor: int, reason: str,
                    *, user_id: int, approved_by_id: int | None, now: datetime
                    ) -> CashMovement:
    """Write a checked cash movement and journal it, in the caller's transaction."""
    movement = CashMovement(store_id=shift.store_id, till_id=shift.till_id,
                            shift_id=shift.id, kind=kind, number=0,
                            amount_minor=amount_minor, reason=reason,
                            user_id=user_id, approved_by_id=approved_by_id, created_at=now)
    session.add(movement)
    session.flush()

    def build(number: int) -> dict[str, Any]:
        movement.number = number
        return movement.document()

    record_document(session, store_id=shift.store_id, till_id=shift.till_id, kind=kind,
                    document_id=movement.id, build=build, now=now)
    return movement


def shift_to_act_on(session: Session, actor: Actor, shift_id: int, action: str,
                    now: datetime) -> Shift:
    """Return an open shift the actor may act on, locked (404 out of scope, 409 closed)."""
    shift = _shift_to_act_on(session, actor, shift_id, action, now)
    shift.ensure_open()
    return shift


def x_report(ctx: Context, shift_id: int) -> dict[str, Any]:
    """Return the shift's totals so far, without closing it."""
    actor = ctx.actor
    with ctx.db.read() as session:
        shift = session.get(Shift, shift_id)
        if shift is None or not sees(actor.principal, place_of(shift)):
            raise _no_shift(shift_id)
        store = session.get(Store, shift.store_id)
        assert store is not None
        blind.refuse_x_report(store, actor.principal)
        return {"kind": "x_report", **shift_totals(session, shift, ctx.registry.shift_reports)}


@dataclass(frozen=True)
class CloseShift:
    """The closing count; ``is_blind`` when the cashier was not shown the expected cash."""

    counted_minor: int
    is_blind: bool = False


def close_shift(ctx: Context, shift_id: int, cmd: CloseShift) -> Shift:
    """Close the shift with the counted cash and record its Z report."""
    actor, now = ctx.actor, ctx.now
    with ctx.db.transaction() as session:
        shift = _shift_to_act_on(session, actor, shift_id, "close_others_shift", now,
                                 own_only=True)
        shift.ensure_open()
        totals = shift_totals(session, shift, ctx.registry.shift_reports)
        if totals["open_receipts"]:
            raise ConflictError("Finish or void the open receipts first", code="open_receipts",
                                extra={"count": totals["open_receipts"], "till_id": shift.till_id,
                                       "receipt_ids": _open_receipt_ids(session, shift.id)})
        expected = totals["cash"]["expected_minor"]
        store = session.get(Store, shift.store_id)
        assert store is not None
        is_blind = blind.is_blind(store, actor.principal, cmd.is_blind)
        if is_blind:
            blind.check_count(session, actor, shift, store, cmd.counted_minor,
                              cmd.counted_minor - expected, now)
        # Approve before changing anything: a refused approval commits its failure count.
        approver = _approve_difference(session, actor, shift, store,
                                       cmd.counted_minor - expected, now)
        difference = shift.close(cmd.counted_minor, expected, by_id=actor.user_id, now=now,
                                 is_blind=is_blind)
        shift.difference_approved_by_id = approver
        totals["cash"].update(counted_minor=cmd.counted_minor, difference_minor=difference)

        def build(number: int) -> dict[str, Any]:
            shift.z_number = number
            shift.z_report = {"kind": "z_report", "number": number, "closed_at": now.isoformat(),
                              "is_blind_close": is_blind, **totals}
            return shift.z_report

        record_document(session, store_id=shift.store_id, till_id=shift.till_id,
                        kind="z_report", document_id=shift.id, build=build, now=now)
        return shift


def _open_receipt_ids(session: Session, shift_id: int) -> list[int]:
    """Name the open receipts that keep a shift from closing (the first hundred)."""
    return list(session.scalars(select(Receipt.id).where(
        Receipt.shift_id == shift_id, Receipt.state == OPEN_RECEIPT).order_by(Receipt.id)
        .limit(100)))


def _approve_difference(session: Session, actor: Actor, shift: Shift, store: Store,
                        difference: int, now: datetime) -> int | None:
    if abs(difference) <= store.max_cash_difference_minor:
        return None
    # A difference beyond the store's tolerance needs a manager (or a manager closing).
    return authorize(session, actor, Right.APPROVE, action="cash_difference",
                     target=f"shift:{shift.id}", now=now, store_id=shift.store_id,
                     till_id=shift.till_id, details={"difference_minor": difference})


def get_shift(db: Database, shift_id: int, viewer: Principal | None = None) -> Shift:
    """Return a shift the viewer may see (None: the system sees all) or ``shift_not_found``."""
    with db.read() as session:
        shift = session.get(Shift, shift_id)
        if shift is None or (viewer is not None and not sees(viewer, place_of(shift))):
            raise _no_shift(shift_id)
        return shift


def list_shifts(db: Database, *, till_id: int | None, date_from: datetime | None,
                date_to: datetime | None, page: int, page_size: int,
                viewer: Principal | None = None) -> Page[Shift]:
    """Return a page of the shifts the viewer may see (newest first) with their reports."""
    with db.read() as session:
        query = select(Shift)
        stores = visible_stores(viewer) if viewer is not None else None
        if stores is not None:
            query = query.where(Shift.store_id.in_(stores))
        if till_id is not None:
            query = query.where(Shift.till_id == till_id)
        if date_from is not None:
            query = query.where(Shift.opened_at >= date_from)
        if date_to is not None:
            query = query.where(Shift.opened_at < date_to)
        return paginate(session, query.order_by(Shift.opened_at.desc(), Shift.id.desc()),
                        page=page, page_size=page_size)
