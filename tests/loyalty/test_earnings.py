"""What each line of a sale earned: kept at its close, or derived at its first return.

A type with rates per segment keeps the split when the sale closes; one rate for every line
leaves it to the first return, which derives it from the closed receipt.
"""

from __future__ import annotations

from sqlalchemy import select

from loyalty.cards.replace import replace_card
from loyalty.points import service as points
from loyalty.points.model import Earning, Entry
from loyalty.points.rules import EarnLine, EarnRules, earn
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.returns import NewReturn, ReturnLine, create_return
from pos.receipts.service import PaymentRequest
from tests.loyalty.conftest import card_type, issue
from tests.loyalty.test_points import OAT, balance, give

MILK = 8990


def sell_mixed(cashier, shop, number, payments):  # type: ignore[no-untyped-def]
    """Sell 1 oat milk, 3 milk and 2 more oat milk (three lines of unequal amounts)."""
    return create_receipt(cashier, NewReceipt(
        till_id=shop.till_id, card_code=number, payments=payments, lines=(
            LineRequest(sku="OAT-MILK-1L", quantity="1"), LineRequest(sku="MILK-1L", quantity="3"),
            LineRequest(sku="OAT-MILK-1L", quantity="2")))).receipt


def kept(ctx, receipt_id):  # type: ignore[no-untyped-def]
    """Return the split kept for a sale: what each line (by id) earned."""
    with ctx.db.read() as session:
        return dict(session.execute(select(Earning.line_id, Earning.earned_cp)
                                    .where(Earning.receipt_id == receipt_id)).all())


def split_at_sale(sale, money, rules, shop):  # type: ignore[no-untyped-def]
    """Return what the earn rules gave each line of a sale (the lines that earned)."""
    earned = earn([EarnLine(line.id, line.amount_minor) for line in sale.lines], money, rules,
                  sale.closed_at.date(), shop.store_id)
    return {line_id: cp for line_id, cp in earned.items() if cp > 0}


def return_line(cashier, shop, sale, line_no, quantity="1"):  # type: ignore[no-untyped-def]
    create_return(cashier, NewReturn(till_id=shop.till_id, original_receipt_id=sale.id,
                                     lines=(ReturnLine(quantity, line_no=line_no),)))


TOTAL = 3 * OAT + 3 * MILK


class TestDerivedAtTheFirstReturn:
    def test_a_one_rate_sale_keeps_no_split_and_its_first_return_derives_the_sales_own(
            self, cashier, manager, shop, shift):
        card_type(manager, code="FRAC", is_fractional=True)
        number = issue(manager, "FRAC")
        give(manager, number, 10000)
        sale = sell_mixed(cashier, shop, number, (PaymentRequest("points", 7777),
                                                  PaymentRequest("cash", TOTAL - 7777)))
        assert kept(cashier, sale.id) == {}
        split = split_at_sale(sale, TOTAL - 7777, EarnRules(earn_bp=500, is_fractional=True),
                              shop)
        assert balance(cashier, number)[0] == 10000 - 7777 + sum(split.values())
        return_line(cashier, shop, sale, 2, quantity="3")
        assert kept(cashier, sale.id) == split
        with cashier.db.read() as session:
            reversed_cp = session.scalar(select(Entry.delta_cp).where(Entry.kind == "reverse"))
        assert reversed_cp == -split[sale.lines[1].id]
        assert points.verify(cashier.db)["problems"] == {}

    def test_partial_returns_of_a_derived_split_take_back_all_it_earned(self, cashier, shop,
                                                                        shift, card):
        sale = sell_mixed(cashier, shop, card, (PaymentRequest("cash", TOTAL),))
        assert balance(cashier, card)[0] == 3500  # 5 % of 719.40 = 35.97 -> 35 points
        for line_no, times in ((2, 3), (3, 2), (1, 1)):
            for _ in range(times):
                return_line(cashier, shop, sale, line_no)
        assert balance(cashier, card) == (0, 0, 0)
        assert points.verify(cashier.db)["problems"] == {}

    def test_a_replaced_cards_sale_is_taken_back_from_the_card_that_replaced_it(
            self, cashier, manager, shop, shift, card):
        sale = sell_mixed(cashier, shop, card, (PaymentRequest("cash", TOTAL),))
        new = replace_card(manager, card).number
        return_line(cashier, shop, sale, 3, quantity="2")
        split = split_at_sale(sale, TOTAL, EarnRules(earn_bp=500), shop)
        assert balance(cashier, new)[0] == 3500 - split[sale.lines[2].id]
        assert points.verify(cashier.db)["problems"] == {}


class TestKeptAtTheClose:
    def test_a_type_with_rates_per_segment_keeps_the_split_when_the_sale_closes(
            self, cashier, manager, shop, shift):
        card_type(manager, code="MILKY", segment_bp={"MILK": 1000})
        number = issue(manager, "MILKY")
        sale = sell_mixed(cashier, shop, number, (PaymentRequest("cash", TOTAL),))
        rules = EarnRules(earn_bp=500, segment_bp={"MILK": 1000})
        kept_at_close = kept(cashier, sale.id)
        assert kept_at_close == {line_id: cp for line_id, cp in earn(
            [EarnLine(line.id, line.amount_minor, frozenset({"MILK"})) for line in sale.lines],
            TOTAL, rules, sale.closed_at.date(), shop.store_id).items() if cp > 0}
        assert sum(kept_at_close.values()) == balance(cashier, number)[0] == 7100
