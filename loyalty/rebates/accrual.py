"""Accrual: each closed sale or return adds its qualifying lines to its agreements' bases.

A :class:`RebateListener` hears every receipt that closes. When the receipt names a wholesale
customer, the agreements that cover it (its own, its parent's that include children, its
segment's) that are approved or active on the day of the sale get their base for that period
raised (a return lowers the base of its sale's period) by an upsert that adds, never a read
and a write, so live progress reads one row. Bill-back agreements also record a rebate per
qualifying line. A fixed number of statements per receipt, whatever its length: for a sale
to a customer, one finds the agreements covering it (by index on both databases) and one
upserts their bases (an executemany).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, column, select, table, text, union_all
from sqlalchemy.orm import Session

from loyalty.customers.model import Customer
from loyalty.rebates import period as periods
from loyalty.rebates.calc import MILLI
from loyalty.rebates.model import ACCRUING, Agreement, BillBack, UnpaidBase
from loyalty.rebates.terms import first_rate
from pos.core.context import Context
from pos.core.extensions import ReceiptView
from pos.core.money import percent_of, round_minor

# Read by name only: loyalty imports no model of pos (receipts, catalog).
_RECEIPTS = table("receipts", column("id"), column("closed_at"), column("total_minor"))
_ITEM_SEGMENTS = table("item_segments", column("item_id"), column("segment_id"))
_SEGMENTS = table("segments", column("id"), column("code"))
ON_ACCOUNT = "on_account"


class RebateListener:
    """Accrue closed sales and returns into the bases of the agreements that cover them."""

    def closed(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """Add a sale's qualifying lines (subtract a return's) to its agreements' bases."""
        if not receipt.customer_ref or not receipt.lines:
            return
        day = _sale_day(session, receipt)
        agreements = covering(session, receipt.customer_ref, day)
        if not agreements:
            return
        sign = -1 if receipt.kind == "return" else 1
        segments = _segments_of(session, receipt, agreements)
        paid_share = _paid_share(receipt)
        upserts = []
        for agreement in agreements:
            lines = [line for line in receipt.lines
                     if not agreement.item_segments
                     or segments.get(line.item_id, set()) & set(agreement.item_segments)]
            if lines:
                upserts.append(_accrue(session, agreement,
                                       periods.containing(day, agreement.period_type).key,
                                       receipt, lines, sign, paid_share))
                if agreement.source == "payments":
                    _owe_unpaid_share(session, agreement, agreement.customer_id, lines, sign,
                                      paid_share)
        if upserts:  # in one round trip (executemany), rows locked in one order by every till
            session.connection().execute(_UPSERT, sorted(
                upserts, key=lambda row: (row["series_id"], row["period_key"])))

    def voided(self, session: Session, ctx: Context, receipt: ReceiptView) -> None:
        """Nothing accrued for an open receipt: nothing to undo."""


def covering(session: Session, customer_code: str, day: date) -> list[Any]:
    """Return the accruing agreements (rows of :data:`_COVERING_CODE`) covering a customer."""
    rows = session.connection().execute(_COVERING_CODE, {"code": customer_code, "day": day})
    return list({row.id: row for row in rows}.values())  # one row per agreement


def accrue_payment(session: Session, customer: Customer, amount_minor: int, day: date) -> None:
    """Add the qualifying share of a customer's debt payment to its payment-based agreements.

    Call after the debt was lowered by the payment (which locks the customer's row). The share
    is what of the debt the agreement's qualifying sales on account make up (their item
    segments only): a payment of the whole debt counts all of them, of half of it, half.
    """
    connection = session.connection()
    debt = connection.execute(_DEBT, {"id": customer.id}).scalar_one() + amount_minor
    for agreement in covering(session, customer.code, day):
        if agreement.source != "payments" or debt <= 0:
            continue
        unpaid = connection.execute(_UNPAID, {"series_id": agreement.series_id,
                                              "customer_id": customer.id}).scalar() or 0
        counted = min(unpaid, round_minor(Decimal(amount_minor) * unpaid / debt))
        if counted > 0:
            key = periods.containing(day, agreement.period_type).key
            _upsert(session, agreement.series_id, key, {"paid_minor": counted})
            _owe(session, agreement.series_id, customer.id, -counted)


def _owe_unpaid_share(session: Session, agreement: Any, customer_id: int,
                      lines: Sequence[Any], sign: int, paid_share: Decimal) -> None:
    # What of the qualifying lines was bought on account counts when the debt is paid.
    net = sum(line.amount_minor for line in lines)
    _owe(session, agreement.series_id, customer_id, sign * (net - round_minor(net * paid_share)))


def _owe(session: Session, series_id: int, customer_id: int, amount_minor: int) -> None:
    if amount_minor:
        session.connection().execute(_UNPAID_ADD, {
            "series_id": series_id, "customer_id": customer_id, "amount_minor": amount_minor})


def _accrue(session: Session, agreement: Any, key: str, receipt: ReceiptView,
            lines: Sequence[Any], sign: int, paid_share: Decimal) -> dict[str, Any]:
    # Records a bill-back's lines; returns the parameters of the base's upsert.
    net = sum(line.amount_minor for line in lines)
    amounts = {
        "gross_minor": sign * sum(line.base_amount_minor for line in lines),
        "net_minor": sign * net,
        "quantity_milli": sign * sum(line.quantity_milli for line in lines),
        "paid_minor": sign * round_minor(net * paid_share),
        "lines": sign * len(lines),
    }
    if agreement.kind == "bill_back":
        rebates = [sign * _billback(agreement, line) for line in lines]
        session.connection().execute(BillBack.__table__.insert(), [
            {"series_id": agreement.series_id, "period_key": key, "receipt_id": receipt.id,
             "line_no": line.line_no, "amount_minor": amount}
            for line, amount in zip(lines, rebates, strict=True)])
        amounts["billback_minor"] = sum(rebates)
    return _upsert_params(agreement.series_id, key, amounts)


def _billback(agreement: Any, line: Any) -> int:
    # A bill-back pays the first tier's rate on each line as it happens; the period end
    # recalculates with every tier and claims the difference.
    rate = first_rate(agreement)
    if agreement.rate_kind == "percent":
        amount = line.amount_minor if agreement.is_net else line.base_amount_minor
        return percent_of(amount, rate)
    return round_minor(rate * line.quantity_milli / MILLI)


def _upsert(session: Session, series_id: int, key: str, amounts: dict[str, int]) -> None:
    session.connection().execute(_UPSERT, _upsert_params(series_id, key, amounts))


def _upsert_params(series_id: int, key: str, amounts: dict[str, int]) -> dict[str, Any]:
    return {"series_id": series_id, "period_key": key,
            **{name: amounts.get(name, 0) for name in _COUNTERS}}


_COUNTERS = ("gross_minor", "net_minor", "quantity_milli", "paid_minor", "billback_minor",
             "lines")
# Built once: accrual runs in every close's transaction, so it spends no time building SQL.
# ``INSERT ... ON CONFLICT DO UPDATE`` reads the same on SQLite (3.24+) and PostgreSQL.
_UPSERT = text(
    f"INSERT INTO rebate_bases (series_id, period_key, {', '.join(_COUNTERS)}) "
    f"VALUES (:series_id, :period_key, {', '.join(':' + c for c in _COUNTERS)}) "
    "ON CONFLICT (series_id, period_key) DO UPDATE SET "
    + ", ".join(f"{c} = rebate_bases.{c} + excluded.{c}" for c in _COUNTERS))
_UNPAID_ADD = text(
    "INSERT INTO rebate_unpaid (series_id, customer_id, amount_minor) "
    "VALUES (:series_id, :customer_id, :amount_minor) "
    "ON CONFLICT (series_id, customer_id) DO UPDATE SET "
    "amount_minor = rebate_unpaid.amount_minor + excluded.amount_minor")
_UNPAID = select(UnpaidBase.amount_minor).where(
    UnpaidBase.series_id == bindparam("series_id"),
    UnpaidBase.customer_id == bindparam("customer_id"))
_DEBT = select(Customer.debt_minor).where(Customer.id == bindparam("id"))


def _covering_code(covers: Any) -> Any:
    # One way an agreement covers the customer whose code a receipt names. Each way is its own
    # index lookup: with an OR of the three, SQLite walks every accruing agreement instead.
    return select(
        Customer.id.label("customer_id"), Agreement.id, Agreement.series_id, Agreement.kind,
        Agreement.period_type, Agreement.item_segments, Agreement.tiers, Agreement.rate_kind,
        Agreement.is_net, Agreement.source,
    ).join(Agreement, and_(
        covers, Agreement.status.in_(ACCRUING), Agreement.valid_from <= bindparam("day"),
        Agreement.valid_to >= bindparam("day"), Agreement.kind != "lump_sum",
    )).where(Customer.code == bindparam("code"))


# The agreements covering a receipt's customer, found from its code in one statement (the hot
# path of every close to a customer). An agreement may cover it more ways than one: dedupe.
_COVERING_CODE = union_all(
    _covering_code(Agreement.customer_id == Customer.id),
    _covering_code(and_(Agreement.customer_id == Customer.parent_id,
                        Agreement.include_children.is_(True))),
    _covering_code(Agreement.customer_segment == Customer.segment))


def _sale_day(session: Session, receipt: ReceiptView) -> date:
    # A return counts in its sale's period: a period already claimed gets an adjustment.
    if receipt.kind == "return" and receipt.original_receipt_id is not None:
        sold = session.scalar(select(_RECEIPTS.c.closed_at)
                              .where(_RECEIPTS.c.id == receipt.original_receipt_id))
        if sold is not None:
            return sold.date() if hasattr(sold, "date") else date.fromisoformat(str(sold)[:10])
    moment = receipt.closed_at or receipt.opened_at
    return moment.date()


def _segments_of(session: Session, receipt: ReceiptView, agreements: list[Any]
                 ) -> dict[int, set[str]]:
    if not any(a.item_segments for a in agreements):
        return {}
    rows = session.execute(select(_ITEM_SEGMENTS.c.item_id, _SEGMENTS.c.code)
                           .join(_SEGMENTS, _SEGMENTS.c.id == _ITEM_SEGMENTS.c.segment_id)
                           .where(_ITEM_SEGMENTS.c.item_id.in_(
                               {line.item_id for line in receipt.lines})))
    found: dict[int, set[str]] = {}
    for item_id, code in rows:
        found.setdefault(item_id, set()).add(code)
    return found


def _paid_share(receipt: ReceiptView) -> Decimal:
    # Paid at once (not on account): that share counts now toward payment-based agreements;
    # the rest counts when the customer pays its debt.
    total = sum(p.amount_minor for p in receipt.payments)
    if total <= 0:
        return Decimal(1)
    later = sum(p.amount_minor for p in receipt.payments if p.kind == ON_ACCOUNT)
    return Decimal(total - later) / Decimal(total)
