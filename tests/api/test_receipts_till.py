"""The till driver of ``tests.helpers`` sells through the API as a cashier would."""

from __future__ import annotations


class TestTillDriver:
    def test_a_cashier_sells_one_item_for_cash(self, till):
        till.open_shift()
        till.open_receipt()
        till.sell("OAT-MILK-1L")
        till.pay_cash("200.00")
        receipt = till.close()
        assert receipt["state"] == "closed"
        assert receipt["change"] == "50.10"
