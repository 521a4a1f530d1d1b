"""Refunds: discounts taken back in proportion, partial returns adding up to the kopeck."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pos.receipts.model import Receipt, ReceiptLine, ReceiptPayment
from pos.receipts.returns import _refund_line


def _line(quantity_milli: int, base: int, discount: int) -> ReceiptLine:
    return ReceiptLine(id=7, item_id=1, sku="OAT-MILK-1L", name="Oat milk", code=None,
                       quantity_milli=quantity_milli, unit_price_minor=base,
                       base_amount_minor=base, discount_minor=discount,
                       amount_minor=base - discount, vat_rate="vat10", is_weighed=True,
                       weight_source="scale", discounts=[])


class TestRefundLine:
    def test_a_third_of_a_discounted_line_refunds_a_third_of_what_was_paid(self):
        refund = _refund_line(_line(3000, 1000, 100), 0, 1000, 0, 0)
        assert (refund.amount_minor, refund.discount_minor) == (300, 33)
        assert refund.base_amount_minor == 333

    @given(quantity=st.integers(1, 20_000), base=st.integers(1, 10**7),
           share=st.integers(0, 100), cuts=st.lists(st.integers(1, 20_000), max_size=6))
    def test_partial_returns_add_up_exactly(self, quantity, base, share, cuts):
        discount = base * share // 100
        line = _line(quantity, base, discount)
        done_q = done_amount = done_discount = 0
        for cut in [*cuts, quantity]:
            step = min(cut, quantity - done_q)
            if step <= 0:
                break
            refund = _refund_line(line, done_q, step, done_amount, done_discount)
            assert 0 <= refund.amount_minor and 0 <= refund.discount_minor
            done_q += step
            done_amount += refund.amount_minor
            done_discount += refund.discount_minor
        assert (done_amount, done_discount) == (base - discount, discount)


class TestAppliedPayment:
    def test_change_is_taken_from_the_last_cash_payment(self):
        receipt = Receipt(total_minor=1000, change_minor=300, payments=[
            ReceiptPayment(seq=1, kind="cash", amount_minor=500, gives_change=True),
            ReceiptPayment(seq=2, kind="card", amount_minor=400, gives_change=False),
            ReceiptPayment(seq=3, kind="cash", amount_minor=400, gives_change=True)])
        assert [receipt.applied_minor(p) for p in receipt.payments] == [500, 400, 100]
