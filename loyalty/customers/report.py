"""The wholesale section of a shift's X and Z reports: sales on account, rebate credit spent.

Read from the shift's closed receipts and returns by table name (loyalty imports no model of
pos): one query, whatever the number of receipts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

from loyalty.customers.account import ON_ACCOUNT, REBATE_CREDIT

_RECEIPTS = table("receipts", column("id"), column("shift_id"), column("state"), column("kind"))
_PAYMENTS = table("receipt_payments", column("receipt_id"), column("kind"),
                  column("amount_minor"))
# (payment type, receipt kind) -> the figure's name in the section
_FIGURES = {(ON_ACCOUNT, "sale"): "on_account_sales", (ON_ACCOUNT, "return"): "on_account_refunds",
            (REBATE_CREDIT, "sale"): "rebate_credit_spent",
            (REBATE_CREDIT, "return"): "rebate_credit_refunded"}


def shift_section(session: Session, shift_id: int) -> dict[str, Any]:
    """Return a shift's sales on account and rebate credit spent, and what returns gave back."""
    rows = session.execute(
        select(_PAYMENTS.c.kind, _RECEIPTS.c.kind, func.count(func.distinct(_RECEIPTS.c.id)),
               func.sum(_PAYMENTS.c.amount_minor))
        .join(_RECEIPTS, _RECEIPTS.c.id == _PAYMENTS.c.receipt_id)
        .where(_RECEIPTS.c.shift_id == shift_id, _RECEIPTS.c.state == "closed",
               _PAYMENTS.c.kind.in_((ON_ACCOUNT, REBATE_CREDIT)))
        .group_by(_PAYMENTS.c.kind, _RECEIPTS.c.kind)).all()
    found = {(payment, kind): (int(count), abs(int(total or 0)))
             for payment, kind, count, total in rows}
    return {name: {"count": found.get(key, (0, 0))[0], "amount_minor": found.get(key, (0, 0))[1]}
            for key, name in _FIGURES.items()}
