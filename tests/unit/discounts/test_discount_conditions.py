"""Conditions: a discount fires only when every condition it has holds."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from discount_builders import FRIDAY_NOON, context, percent, priced, root, sell

from pos.discounts.engine import (
    AccumulatedVolume,
    CardTypes,
    CashierGroup,
    CustomerSegment,
    DateRange,
    FirstPurchase,
    FirstPurchaseFromSegment,
    Kind,
    PaymentForm,
    ReceiptVolume,
    Rule,
    Scope,
    SegmentQuantity,
    StoreIn,
    TimeOfSale,
    TimeRange,
)

THREE_THOUSAND = 300000


def fires(discount, lines=None, ctx=None) -> bool:
    lines = lines or [sell(1, "OAT-MILK-1L")]
    result = priced(root(Rule.SUM, discount), lines, ctx)
    return result.discount_total_minor != 0


class TestReceiptVolume:
    def over_3000(self, **fields):
        condition = ReceiptVolume(min_amount_minor=THREE_THOUSAND, **fields)
        return percent("big", "3", scope=Scope.DOCUMENT, conditions=(condition,))

    def test_receipt_of_exactly_3000_qualifies_and_one_kopeck_less_does_not(self):
        exact = [sell(1, "TV-55", "3")]
        short = [
            sell(1, "TV-55", "3", unit_price_minor=99999),
            sell(2, "CROISSANT", unit_price_minor=2),
        ]
        assert fires(self.over_3000(), exact)
        assert not fires(self.over_3000(), short)

    def test_volume_of_a_segment_counts_only_that_segment(self):
        lines = [sell(1, "TV-55", "2"), sell(2, "ESPRESSO-BEANS-1KG")]
        assert not fires(self.over_3000(segment="Coffee"), lines)
        assert fires(self.over_3000(segment="Electronics"), [*lines, sell(3, "TV-55")])

    def test_lines_excluded_from_discounts_do_not_count_towards_the_volume(self):
        lines = [sell(1, "TV-55", "2"), sell(2, "GIFT-CARD-1000")]
        assert not fires(self.over_3000(), lines)

    def test_quantity_floor_counts_units_on_the_receipt(self):
        discount = percent(
            "six", "5", scope=Scope.DOCUMENT, conditions=(ReceiptVolume(min_quantity=Decimal(6)),)
        )
        assert fires(discount, [sell(1, "CROISSANT", "4"), sell(2, "OAT-MILK-1L", "2")])
        assert not fires(discount, [sell(1, "CROISSANT", "5")])


class TestSegmentQuantity:
    def test_three_coffees_unlock_the_coffee_discount(self):
        discount = percent(
            "coffee3",
            "10",
            scope=Scope.DOCUMENT,
            segment="Coffee",
            conditions=(SegmentQuantity("Coffee", Decimal(3)),),
        )
        assert fires(discount, [sell(1, "ESPRESSO-BEANS-1KG", "2"), sell(2, "FILTER-COFFEE-250G")])
        assert not fires(discount, [sell(1, "ESPRESSO-BEANS-1KG", "2"), sell(2, "OAT-MILK-1L")])


class TestBuyerHistory:
    def test_accumulated_volume_comes_from_the_context(self):
        discount = percent("silver", "7", conditions=(AccumulatedVolume(5000000),))
        assert fires(discount, ctx=context(accumulated_volume_minor=5000000))
        assert not fires(discount, ctx=context(accumulated_volume_minor=4999999))

    def test_first_purchase_needs_a_known_buyer(self):
        discount = percent("welcome", "15", conditions=(FirstPurchase(),))
        assert fires(discount, ctx=context(is_first_purchase=True, card_id="C-1"))
        assert not fires(discount, ctx=context(is_first_purchase=True))
        assert not fires(discount, ctx=context(is_first_purchase=False, card_id="C-1"))

    def test_trial_purchase_from_a_segment_never_bought_before(self):
        discount = percent(
            "try-coffee", "20", segment="Coffee", conditions=(FirstPurchaseFromSegment("Coffee"),)
        )
        coffee = [sell(1, "ESPRESSO-BEANS-1KG")]
        assert fires(discount, coffee, context(customer_id="K-7"))
        assert not fires(
            discount,
            coffee,
            context(customer_id="K-7", segments_bought_before=frozenset({"Coffee"})),
        )
        assert not fires(discount, coffee, context())


class TestTimeOfSale:
    READY_MEALS_BEFORE_CLOSING = TimeOfSale(ranges=(TimeRange(time(21), time(22)),))

    @pytest.mark.parametrize(
        ("moment", "expected"),
        [(time(20, 59), False), (time(21, 0), True), (time(21, 59), True), (time(22, 0), False)],
    )
    def test_hour_before_closing(self, moment, expected):
        discount = percent("evening", "30", conditions=(self.READY_MEALS_BEFORE_CLOSING,))
        ctx = context(now_local=datetime.combine(FRIDAY_NOON.date(), moment))
        assert fires(discount, ctx=ctx) is expected

    def test_weekdays_are_checked_on_the_local_date(self):
        weekend = percent("weekend", "5", conditions=(TimeOfSale(weekdays=frozenset({5, 6})),))
        assert not fires(weekend)  # Friday
        assert fires(weekend, ctx=context(now_local=datetime(2025, 3, 15, 9)))

    def test_range_past_midnight_covers_both_sides(self):
        night = percent(
            "night", "5", conditions=(TimeOfSale(ranges=(TimeRange(time(23), time(2)),)),)
        )
        assert fires(night, ctx=context(now_local=datetime(2025, 3, 14, 23, 30)))
        assert fires(night, ctx=context(now_local=datetime(2025, 3, 15, 1, 30)))
        assert not fires(night, ctx=context(now_local=datetime(2025, 3, 15, 2, 0)))


class TestSaleFacts:
    def test_payment_form(self):
        cash = percent("cash", "2", conditions=(PaymentForm(frozenset({"cash"})),))
        assert fires(cash, ctx=context(payment_forms=frozenset({"cash", "card"})))
        assert not fires(cash, ctx=context(payment_forms=frozenset({"card"})))

    def test_card_type_as_a_condition_and_as_the_discount_field(self):
        by_condition = percent("gold", "5", conditions=(CardTypes(frozenset({"gold"})),))
        by_field = percent("gold", "5", kind=Kind.CARD, card_types=frozenset({"gold"}))
        for discount in (by_condition, by_field):
            assert fires(discount, ctx=context(card_types=frozenset({"gold"})))
            assert not fires(discount, ctx=context(card_types=frozenset({"silver"})))

    def test_cashier_group(self):
        staff = percent("staff", "5", conditions=(CashierGroup(frozenset({"seniors"})),))
        assert fires(staff, ctx=context(cashier_groups=frozenset({"seniors"})))
        assert not fires(staff, ctx=context(cashier_groups=frozenset({"trainees"})))

    def test_customer_segment_as_a_condition_and_as_the_campaign_field(self):
        by_condition = percent(
            "pens", "5", conditions=(CustomerSegment(frozenset({"pensioners"})),)
        )
        by_field = percent(
            "pens", "5", kind=Kind.CAMPAIGN, customer_segments=frozenset({"pensioners"})
        )
        for discount in (by_condition, by_field):
            assert fires(discount, ctx=context(customer_segments=frozenset({"pensioners"})))
            assert not fires(discount, ctx=context())

    def test_store_list_as_a_condition_and_as_the_campaign_field(self):
        by_condition = percent("north", "5", conditions=(StoreIn(frozenset({7, 8})),))
        by_field = percent("north", "5", store_ids=frozenset({7, 8}))
        for discount in (by_condition, by_field):
            assert fires(discount, ctx=context(store_id=8))
            assert not fires(discount, ctx=context(store_id=9))


class TestValidity:
    def test_date_range_is_inclusive_at_both_ends(self):
        march = DateRange(date(2025, 3, 1), date(2025, 3, 14))
        assert fires(percent("march", "5", conditions=(march,)))
        assert not fires(percent("march", "5", conditions=(DateRange(date(2025, 3, 15)),)))

    def test_validity_dates_on_the_discount(self):
        assert fires(percent("d", "5", valid_from=date(2025, 3, 14), valid_to=date(2025, 3, 14)))
        assert not fires(percent("d", "5", valid_to=date(2025, 3, 13)))

    def test_inactive_discount_never_fires(self):
        assert not fires(percent("off", "5", is_active=False))

    def test_all_conditions_must_hold(self):
        both = percent(
            "both",
            "5",
            conditions=(PaymentForm(frozenset({"cash"})), CardTypes(frozenset({"gold"}))),
        )
        assert not fires(both, ctx=context(payment_forms=frozenset({"cash"})))
        assert fires(
            both, ctx=context(payment_forms=frozenset({"cash"}), card_types=frozenset({"gold"}))
        )
