"""Shift totals for X and Z reports, in a fixed number of aggregate queries.

Six statements whatever the number of receipts: receipts by kind, payments by kind, lines by
VAT rate, certificate lines, cash movements, and open receipts. Gift certificates sold are a
liability, not revenue: their lines are shown apart, and revenue is the total without them.
Expected cash = opening float + cash taken on sales (net of change) - cash refunded + cash in
- cash out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.core.extensions import ShiftReportSections
from pos.core.money import format_minor
from pos.receipts.model import CLOSED, OPEN, RETURN, SALE, Receipt, ReceiptLine, ReceiptPayment
from pos.shifts.model import CASH_IN, CASH_OUT, CashMovement, Shift


def shift_totals(session: Session, shift: Shift,
                 sections: ShiftReportSections | None = None) -> dict[str, Any]:
    """Return the shift's totals as plain data (money in ``*_minor`` integers).

    ``sections`` add what features keep of the shift (points, certificates), each by name.
    """
    docs = _documents(session, shift.id)
    by_payment = _by(session, shift.id, ReceiptPayment.kind, ReceiptPayment.amount_minor,
                     ReceiptPayment.receipt_id)
    by_vat = _by(session, shift.id, ReceiptLine.vat_rate, ReceiptLine.amount_minor,
                 ReceiptLine.receipt_id)
    moves = dict(session.execute(
        select(CashMovement.kind, func.sum(CashMovement.amount_minor))
        .where(CashMovement.shift_id == shift.id).group_by(CashMovement.kind)).all())
    open_count = session.scalar(select(func.count()).select_from(Receipt).where(
        Receipt.shift_id == shift.id, Receipt.state == OPEN)) or 0
    sales, returns = docs.get(SALE, _empty()), docs.get(RETURN, _empty())
    # Change is only ever given from cash, so cash kept = cash tendered - change.
    cash_sales = by_payment.get(SALE, {}).get("cash", 0) - sales["change_minor"]
    cash_refunds = by_payment.get(RETURN, {}).get("cash", 0)
    cash_in, cash_out = int(moves.get(CASH_IN) or 0), int(moves.get(CASH_OUT) or 0)
    sale_payments = dict(by_payment.get(SALE, {}))
    if "cash" in sale_payments:
        sale_payments["cash"] = cash_sales
    return {
        "shift_id": shift.id, "till_id": shift.till_id,
        "opened_at": shift.opened_at.isoformat(), "open_receipts": int(open_count),
        "number_range": _range(sales, returns),
        "sales": {**sales, "by_payment": sale_payments, "by_vat": by_vat.get(SALE, {})},
        "returns": {**returns, "by_payment": by_payment.get(RETURN, {}),
                    "by_vat": by_vat.get(RETURN, {})},
        "discounts_given_minor": sales["discount_minor"] - returns["discount_minor"],
        **_apart_from_revenue(session, shift.id, sales, returns),
        "cash": {"opening_float_minor": shift.opening_float_minor,
                 "sales_minor": cash_sales, "refunds_minor": cash_refunds,
                 "cash_in_minor": cash_in, "cash_out_minor": cash_out,
                 "expected_minor": shift.opening_float_minor + cash_sales - cash_refunds
                 + cash_in - cash_out},
        **(sections.of(session, shift.id) if sections is not None else {}),
    }


def _empty() -> dict[str, Any]:
    return {"count": 0, "first_number": None, "last_number": None, "first_at": None,
            "last_at": None, "total_minor": 0, "discount_minor": 0, "change_minor": 0}


def _documents(session: Session, shift_id: int) -> dict[str, dict[str, Any]]:
    rows = session.execute(
        select(Receipt.kind, func.count(), func.min(Receipt.number), func.max(Receipt.number),
               func.min(Receipt.closed_at), func.max(Receipt.closed_at),
               func.sum(Receipt.total_minor), func.sum(Receipt.discount_minor),
               func.sum(Receipt.change_minor))
        .where(Receipt.shift_id == shift_id, Receipt.state == CLOSED).group_by(Receipt.kind))
    return {kind: {"count": count, "first_number": first, "last_number": last,
                   "first_at": _iso(first_at), "last_at": _iso(last_at),
                   "total_minor": int(total or 0), "discount_minor": int(discount or 0),
                   "change_minor": int(change or 0)}
            for kind, count, first, last, first_at, last_at, total, discount, change in rows}


def _apart_from_revenue(session: Session, shift_id: int, sales: dict[str, Any],
                        returns: dict[str, Any]) -> dict[str, Any]:
    # Gift certificate lines: sold and returned apart, and the revenue without them.
    rows = session.execute(
        select(Receipt.kind, func.sum(ReceiptLine.amount_minor))
        .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
        .where(Receipt.shift_id == shift_id, Receipt.state == CLOSED,
               ReceiptLine.certificate_type_id.is_not(None))
        .group_by(Receipt.kind))
    lines = {kind: int(total or 0) for kind, total in rows}
    sold, returned = lines.get(SALE, 0), lines.get(RETURN, 0)
    return {"certificates": {"sold_minor": sold, "returned_minor": returned},
            "revenue_minor": sales["total_minor"] - sold - returns["total_minor"] + returned}


def _by(session: Session, shift_id: int, key: Any, amount: Any, receipt_fk: Any
        ) -> dict[str, dict[str, int]]:
    rows = session.execute(
        select(Receipt.kind, key, func.sum(amount)).join(Receipt, Receipt.id == receipt_fk)
        .where(Receipt.shift_id == shift_id, Receipt.state == CLOSED)
        .group_by(Receipt.kind, key))
    out: dict[str, dict[str, int]] = {}
    for kind, name, total in rows:
        out.setdefault(kind, {})[name] = int(total or 0)
    return out


def _range(sales: dict[str, Any], returns: dict[str, Any]) -> dict[str, int | None]:
    firsts = [n for n in (sales["first_number"], returns["first_number"]) if n is not None]
    lasts = [n for n in (sales["last_number"], returns["last_number"]) if n is not None]
    return {"first": min(firsts, default=None), "last": max(lasts, default=None)}


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    assert isinstance(value, datetime)
    return value.isoformat()


def present(data: Any) -> Any:
    """Turn ``*_minor`` integers into decimal strings without the suffix, for JSON."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key.endswith("_minor") and isinstance(value, int):
                out[key.removesuffix("_minor")] = format_minor(value)
            elif key in ("by_payment", "by_vat") and isinstance(value, dict):
                out[key] = {k: format_minor(v) for k, v in value.items()}
            else:
                out[key] = present(value)
        return out
    if isinstance(data, list):
        return [present(v) for v in data]
    return data
