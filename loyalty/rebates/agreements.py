"""Use cases of agreements: draft, change (a new version once approved), approve, activate, close.

Status runs draft -> approved -> active -> closed; only approved and active versions accrue.
A change to a draft edits it; a change to an approved or active agreement writes the next
version as a draft, and approving that version closes the one it replaces, so the base (kept
per agreement, across versions) carries on.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loyalty.customers.model import Customer
from loyalty.rebates.model import ACCRUING, ACTIVE, APPROVED, CLOSED, DRAFT, Agreement, Fund
from loyalty.rebates.period import PeriodType
from loyalty.rebates.terms import check, checked_tiers
from pos.core import audit
from pos.core.context import Context
from pos.core.db import Database
from pos.core.errors import ConflictError, NotFoundError, ValidationError

# What a caller may set; the rest (status, versions, approvals) the use cases keep.
FIELDS = ("name", "kind", "customer_id", "include_children", "customer_segment", "period_type",
          "valid_from", "valid_to", "measure", "is_net", "source", "item_segments", "mode",
          "rate_kind", "plan_minor", "tiers", "cap_percent", "compensation_minor",
          "lump_sum_minor", "requires_no_overdue", "settlement", "gift_sku", "funds")
_NEXT = {DRAFT: APPROVED, APPROVED: ACTIVE, ACTIVE: CLOSED}


def create_agreement(ctx: Context, data: dict[str, Any]) -> Agreement:
    """Draft an agreement after checking its terms, target and funds."""
    with ctx.db.transaction() as session:
        agreement = Agreement(series_id=0, version=1, status=DRAFT, created_at=ctx.now)
        _apply(session, agreement, data)
        session.add(agreement)
        session.flush()
        agreement.series_id = agreement.id
        audit.record(session, at=ctx.now, action="agreement_created",
                     user_id=ctx.actor.user_id, target=f"agreement:{agreement.id}")
    return agreement


def change_agreement(ctx: Context, agreement_id: int, changes: dict[str, Any]) -> Agreement:
    """Change a draft in place, or write the next version of an approved agreement."""
    with ctx.db.transaction() as session:
        current = get_agreement(session, agreement_id)
        if current.status == CLOSED:
            raise ConflictError("A closed agreement cannot change", code="agreement_closed")
        if current.status == DRAFT:
            target = current
        else:
            _refuse_second_draft(session, current.series_id)
            target = Agreement(series_id=current.series_id, status=DRAFT, created_at=ctx.now,
                               version=_last_version(session, current.series_id) + 1,
                               **{name: getattr(current, name) for name in FIELDS})
            session.add(target)
        _apply(session, target, {**{n: getattr(target, n) for n in FIELDS}, **changes})
        session.flush()
        audit.record(session, at=ctx.now, action="agreement_changed",
                     user_id=ctx.actor.user_id, target=f"agreement:{target.id}",
                     details={"fields": sorted(changes), "version": target.version})
    return target


def advance(ctx: Context, agreement_id: int, status: str) -> Agreement:
    """Move an agreement to ``status`` (approved, active or closed), one step at a time."""
    with ctx.db.transaction() as session:
        agreement = get_agreement(session, agreement_id)
        if _NEXT.get(agreement.status) != status and not (
                status == CLOSED and agreement.status in ACCRUING):
            raise ConflictError(f"A {agreement.status} agreement cannot become {status}",
                                code="agreement_status_invalid",
                                extra={"current_status": agreement.status})
        if status == APPROVED:
            _replace_earlier(session, agreement)
            agreement.approved_at, agreement.approved_by_id = ctx.now, ctx.actor.user_id
        agreement.status = status
        audit.record(session, at=ctx.now, action=f"agreement_{status}",
                     user_id=ctx.actor.user_id, target=f"agreement:{agreement.id}")
    return agreement


def get_agreement(session: Session, agreement_id: int) -> Agreement:
    """Return an agreement version or raise ``agreement_not_found``."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFoundError(f"No agreement {agreement_id}", code="agreement_not_found")
    return agreement


def find_agreement(db: Database, agreement_id: int) -> Agreement:
    """Return an agreement version or raise ``agreement_not_found``."""
    with db.read() as session:
        return get_agreement(session, agreement_id)


def list_agreements(db: Database, customer_id: int | None = None) -> list[Agreement]:
    """Return every agreement version (of one customer), newest series and version first."""
    query = select(Agreement).order_by(Agreement.series_id.desc(), Agreement.version.desc())
    if customer_id is not None:
        query = query.where(Agreement.customer_id == customer_id)
    with db.read() as session:
        return list(session.scalars(query))


def _apply(session: Session, agreement: Agreement, data: dict[str, Any]) -> None:
    values = {name: data[name] for name in FIELDS if name in data}
    if "tiers" in values:
        values["tiers"] = checked_tiers(values["tiers"])
    if values.get("cap_percent") is not None:
        values["cap_percent"] = Decimal(str(values["cap_percent"]))
    values["funds"] = [{"fund_id": int(f["fund_id"]), "share": str(f["share"])}
                       for f in values.get("funds", agreement.funds or [])]
    if values.get("period_type", agreement.period_type) not in set(PeriodType):
        raise ValidationError("Period type is month, quarter or year",
                              code="period_type_invalid", field="period_type")
    for name, value in values.items():
        setattr(agreement, name, value)
    for name, default in (("include_children", False), ("compensation_minor", 0),
                          ("lump_sum_minor", 0), ("item_segments", []), ("kind", "retro"),
                          ("measure", "amount"), ("mode", "whole"), ("rate_kind", "percent"),
                          ("source", "sales"), ("is_net", True), ("settlement", "credit"),
                          ("requires_no_overdue", False), ("tiers", [])):
        if getattr(agreement, name) is None:
            setattr(agreement, name, default)
    check(agreement)
    _check_references(session, agreement)


def _check_references(session: Session, agreement: Agreement) -> None:
    if agreement.customer_id is not None and session.get(Customer, agreement.customer_id) is None:
        raise ValidationError(f"No customer {agreement.customer_id}",
                              code="customer_not_found", field="customer_id")
    for link in agreement.funds:
        fund = session.get(Fund, link["fund_id"])
        if fund is None or fund.status != APPROVED:
            raise ValidationError(f"Fund {link['fund_id']} is not an approved fund",
                                  code="fund_not_approved", field="funds")


def _refuse_second_draft(session: Session, series_id: int) -> None:
    if session.scalar(select(Agreement.id).where(Agreement.series_id == series_id,
                                                 Agreement.status == DRAFT)) is not None:
        raise ConflictError("This agreement already has a draft version: change that one",
                            code="agreement_draft_exists")


def _last_version(session: Session, series_id: int) -> int:
    return int(session.scalar(select(func.max(Agreement.version))
                              .where(Agreement.series_id == series_id)) or 0)


def _replace_earlier(session: Session, agreement: Agreement) -> None:
    for earlier in session.scalars(select(Agreement).where(
            Agreement.series_id == agreement.series_id, Agreement.id != agreement.id,
            Agreement.status.in_(ACCRUING))):
        earlier.status = CLOSED


def day_in(agreement: Agreement, day: date) -> bool:
    """Tell whether ``day`` lies within the agreement's validity."""
    return agreement.valid_from <= day <= agreement.valid_to
