"""Accrual's cost in a close: two statements for a sale, however many agreements cover it."""

from __future__ import annotations

from sqlalchemy import event, select

from loyalty.rebates.accrual import RebateListener
from loyalty.rebates.agreements import advance, create_agreement
from loyalty.rebates.model import AccruedBase
from pos.receipts.model import Receipt
from tests.service.rebates.conftest import agreement_terms, sell


def test_a_sale_covered_by_its_own_and_its_segments_agreement_accrues_in_two_statements(
        cashier, manager, shop, shift, agreement, acme):
    segment = create_agreement(manager, agreement_terms(None, name="HORECA 2026",
                                                        customer_segment="HORECA"))
    advance(manager, segment.id, "approved")
    sale = sell(cashier, shop.till_id, "8")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    with cashier.db.transaction() as session:
        receipt = session.get(Receipt, sale.id)
        assert receipt is not None and len(receipt.lines) == 1
        event.listen(cashier.db.engine, "before_cursor_execute", count)
        try:
            RebateListener().closed(session, cashier, receipt)
        finally:
            event.remove(cashier.db.engine, "before_cursor_execute", count)
    with cashier.db.read() as session:
        bases = {row.series_id: row.net_minor for row in session.scalars(select(AccruedBase))}
    # Sold once by sell(), accrued again here: each agreement's base holds both.
    assert bases == {agreement.series_id: 2 * 8 * 14990, segment.series_id: 2 * 8 * 14990}
    assert len(statements) == 2, statements
