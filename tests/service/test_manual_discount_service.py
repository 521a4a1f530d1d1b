"""Manual discounts called directly: within the cashier's limit alone, above it approved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from pos.core.audit import AuditEntry
from pos.discounts.limits import replace_limits
from pos.receipts.lines import LineRequest
from pos.receipts.manual import ManualRequest, give, withdraw
from pos.receipts.service import PaymentRequest, add_line, add_payment
from tests.helpers import approved, refused


@pytest.fixture(autouse=True)
def limits(db):
    """Cashiers give up to 5%, on dairy up to 10%."""
    replace_limits(db, [
        {"user_group": "cashiers", "price_group": None, "max_percent": Decimal("5")},
        {"user_group": "cashiers", "price_group": "DAIRY", "max_percent": Decimal("10")}])


class TestGiveManualDiscount:
    def test_within_the_limit_a_cashier_gives_it_alone(self, cashier, receipt):
        add_line(cashier, receipt.id, LineRequest(sku="OAT-MILK-1L"))  # DAIRY: 10%
        given = give(cashier, receipt.id, ManualRequest(percent=Decimal("10"), line_no=1))
        assert given.lines[0].discount_minor == 1499
        assert given.manual_discounts[0]["approved_by"] is None

    def test_above_the_cashiers_limit_a_manager_must_approve(self, cashier, receipt, db):
        add_line(cashier, receipt.id, LineRequest(sku="APPLE-KG", quantity="1.000",
                                                  weight_source="scale"))  # 5%
        above = ManualRequest(percent=Decimal("20"), line_no=1)
        with refused("approval_required"):
            give(cashier, receipt.id, above)
        given = give(approved(cashier), receipt.id, above)
        assert given.lines[0].discount_minor == 3198
        assert given.manual_discounts[0]["approved_by"] is not None
        with db.read() as session:
            entry = session.scalars(select(AuditEntry).where(
                AuditEntry.action == "manual_discount")).one()
        assert entry.approved_by_id == given.manual_discounts[0]["approved_by"]

    def test_the_strictest_limit_of_the_receipts_lines_applies(self, cashier, receipt):
        add_line(cashier, receipt.id, LineRequest(sku="OAT-MILK-1L"))  # 10%
        add_line(cashier, receipt.id, LineRequest(sku="APPLE-KG", quantity="1.000",
                                                  weight_source="scale"))  # 5%
        with refused("approval_required"):
            give(cashier, receipt.id, ManualRequest(percent=Decimal("6")))

    def test_a_discount_larger_than_its_line_is_refused(self, cashier, receipt):
        add_line(cashier, receipt.id, LineRequest(sku="MILK-1L"))
        with refused("manual_discount_exceeds_amount"):
            give(approved(cashier), receipt.id, ManualRequest(amount_minor=8991, line_no=1))

    def test_no_discount_once_payment_has_started(self, cashier, receipt):
        add_line(cashier, receipt.id, LineRequest(sku="MILK-1L"))
        add_payment(cashier, receipt.id, PaymentRequest("cash", 1000))
        with refused("receipt_has_payments"):
            give(cashier, receipt.id, ManualRequest(percent=Decimal("1"), line_no=1))

    def test_a_withdrawn_discount_restores_the_price(self, cashier, receipt):
        add_line(cashier, receipt.id, LineRequest(sku="MILK-1L"))
        given = give(cashier, receipt.id, ManualRequest(amount_minor=100, line_no=1))
        assert given.total_minor == 8890
        assert withdraw(cashier, receipt.id, given.manual_discounts[0]["id"]).total_minor == 8990
