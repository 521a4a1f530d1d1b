"""The wholesale section of a shift's X report: sales on account, rebate credit spent."""

from __future__ import annotations

from loyalty.customers.account import move_credit
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.service import PaymentRequest, add_payment
from pos.shifts.service import x_report
from tests.service.rebates.conftest import give_back, sell


class TestShiftReport:
    def test_the_x_report_shows_on_account_sales_refunds_and_credit_spent(
            self, cashier, manager, shop, shift, acme):
        sale = sell(cashier, shop.till_id, "10", pay="on_account")
        sell(cashier, shop.till_id, "2", pay="on_account")
        sell(cashier, shop.till_id, "1")  # cash: not in the section
        give_back(cashier, shop.till_id, sale, "4")
        with manager.db.transaction() as session:
            move_credit(session, manager, acme.id, 5000, kind="settlement")
        create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, customer_ref="ACME",
            lines=(LineRequest(sku="OAT-MILK-1L"),),
            payments=(PaymentRequest("rebate_credit", 5000), PaymentRequest("cash", 9990))))
        section = x_report(cashier, shift.id)["wholesale"]
        assert section == {
            "on_account_sales": {"count": 2, "amount_minor": 12 * 14990},
            "on_account_refunds": {"count": 1, "amount_minor": 4 * 14990},
            "rebate_credit_spent": {"count": 1, "amount_minor": 5000},
            "rebate_credit_refunded": {"count": 0, "amount_minor": 0}}

    def test_a_receipt_not_closed_counts_nothing(self, cashier, shop, shift, acme):
        receipt = create_receipt(cashier, NewReceipt(
            till_id=shop.till_id, customer_ref="ACME",
            lines=(LineRequest(sku="OAT-MILK-1L"),))).receipt
        add_payment(cashier, receipt.id, PaymentRequest("on_account", 14990))
        section = x_report(cashier, shift.id)["wholesale"]
        assert section["on_account_sales"] == {"count": 0, "amount_minor": 0}
