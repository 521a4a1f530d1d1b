"""Each benefit on its own: what it takes off (or puts on) which lines."""

from decimal import Decimal

from discount_builders import discounts_on, priced, root, sell

from pos.discounts.engine import (
    AmountOff,
    CheapestFree,
    Discount,
    FixedPrice,
    Gift,
    GiftLine,
    Group,
    Markup,
    Per,
    PercentOff,
    QuantityDiscount,
    Rule,
)


def only(discount: Discount) -> Group:
    return root(Rule.SUM, discount)


class TestPercentOff:
    def test_ten_percent_off_two_cartons_of_oat_milk(self):
        result = priced(
            only(Discount("d", "10%", PercentOff(Decimal(10)))), [sell(1, "OAT-MILK-1L", "2")]
        )
        assert result.lines[0].base_amount_minor == 37980
        assert result.lines[0].discount_minor == 3798
        assert result.lines[0].amount_minor == 34182

    def test_percent_is_rounded_once_half_up(self):
        line = sell(1, "CROISSANT", unit_price_minor=1999)
        result = priced(only(Discount("d", "15%", PercentOff(Decimal(15)))), [line])
        assert result.lines[0].discount_minor == 300  # 299.85


class TestAmountOff:
    def test_amount_per_unit_counts_every_unit(self):
        benefit = AmountOff(500, Per.UNIT)
        result = priced(only(Discount("d", "5 off each", benefit)), [sell(1, "OAT-MILK-1L", "3")])
        assert result.lines[0].discount_minor == 1500

    def test_amount_per_line_is_given_once_whatever_the_quantity(self):
        benefit = AmountOff(500, Per.LINE)
        result = priced(only(Discount("d", "5 off", benefit)), [sell(1, "OAT-MILK-1L", "3")])
        assert result.lines[0].discount_minor == 500

    def test_amount_per_document_is_split_exactly_by_line_amounts(self):
        benefit = AmountOff(1000, Per.DOCUMENT)
        lines = [sell(1, "OAT-MILK-1L"), sell(2, "CROISSANT")]
        result = priced(only(Discount("d", "10 off the receipt", benefit)), lines)
        # 1000 x 18990/27890 = 680.89 and 319.11: the spare kopeck goes to the larger remainder.
        assert [line.discount_minor for line in result.lines] == [681, 319]

    def test_amount_per_document_on_a_single_line_is_all_that_line_s_up_to_its_amount(self):
        benefit = AmountOff(1000, Per.DOCUMENT)
        small = priced(only(Discount("d", "10 off", benefit)), [sell(1, "CROISSANT")])
        benefit = AmountOff(20000, Per.DOCUMENT)
        large = priced(only(Discount("d", "200 off", benefit)), [sell(1, "CROISSANT")])
        assert small.lines[0].discount_minor == 1000
        assert (large.lines[0].discount_minor, large.lines[0].amount_minor) == (8900, 0)

    def test_amount_larger_than_the_line_stops_at_zero(self):
        benefit = AmountOff(20000, Per.LINE)
        result = priced(only(Discount("d", "200 off", benefit)), [sell(1, "CROISSANT")])
        assert result.lines[0].amount_minor == 0
        assert result.lines[0].discount_minor == 8900


class TestFixedPrice:
    def test_fixed_unit_price_discounts_the_difference(self):
        result = priced(
            only(Discount("d", "50.00 each", FixedPrice(5000))), [sell(1, "CROISSANT", "2")]
        )
        assert result.lines[0].amount_minor == 10000
        assert result.lines[0].discount_minor == 7800

    def test_fixed_price_above_the_shelf_price_does_not_apply(self):
        result = priced(only(Discount("d", "99.00 each", FixedPrice(9999))), [sell(1, "CROISSANT")])
        assert result.lines[0].applied == ()
        assert result.lines[0].amount_minor == 8900


class TestMarkup:
    def test_percent_markup_is_a_negative_discount(self):
        result = priced(
            only(Discount("d", "+5%", Markup(percent=Decimal(5)))), [sell(1, "OAT-MILK-1L")]
        )
        assert result.lines[0].discount_minor == -950  # 949.5 rounded half up
        assert result.lines[0].amount_minor == 19940

    def test_amount_markup_per_unit(self):
        markup = Markup(amount_minor=300, per=Per.UNIT)
        result = priced(only(Discount("d", "+3 each", markup)), [sell(1, "CROISSANT", "2")])
        assert result.lines[0].amount_minor == 17800 + 600

    def test_document_markup_on_a_single_line_is_that_line_s_whole(self):
        markup = Markup(amount_minor=300, per=Per.DOCUMENT)
        result = priced(only(Discount("d", "+3 once", markup)), [sell(1, "CROISSANT", "2")])
        assert result.lines[0].discount_minor == -300
        assert result.lines[0].amount_minor == 17800 + 300

    def test_markup_never_applies_to_a_gift_line(self):
        lines = [sell(1, "CROISSANT"), sell(2, "BRANDED-MUG", is_gift=True)]
        result = priced(only(Discount("d", "+5%", Markup(percent=Decimal(5)))), lines)
        assert result.lines[0].discount_minor == -445
        assert result.lines[1].applied == ()
        assert result.lines[1].amount_minor == 45000


class TestQuantityDiscount:
    BUY_FOUR_FIFTH_FREE = Discount(
        "5th-free", "Buy 4 croissants, the 5th free", QuantityDiscount(5), segment="Bakery"
    )

    def test_fifth_croissant_is_free(self):
        result = priced(only(self.BUY_FOUR_FIFTH_FREE), [sell(1, "CROISSANT", "5")])
        assert result.lines[0].discount_minor == 8900

    def test_four_croissants_get_nothing_and_ten_get_two_free(self):
        four = priced(only(self.BUY_FOUR_FIFTH_FREE), [sell(1, "CROISSANT", "4")])
        ten = priced(only(self.BUY_FOUR_FIFTH_FREE), [sell(1, "CROISSANT", "10")])
        assert four.lines[0].discount_minor == 0
        assert ten.lines[0].discount_minor == 2 * 8900

    def test_cheapest_units_of_the_segment_go_free_first(self):
        lines = [sell(1, "PAIN-AU-CHOCOLAT", "2"), sell(2, "CROISSANT", "3")]
        result = priced(only(self.BUY_FOUR_FIFTH_FREE), lines)
        assert discounts_on(result, 1) == {}
        assert discounts_on(result, 2) == {"5th-free": 8900}

    def test_every_nth_unit_in_line_order_when_not_cheapest_first(self):
        discount = Discount(
            "5th", "5th in a row", QuantityDiscount(5, cheapest_first=False), segment="Bakery"
        )
        lines = [sell(1, "CROISSANT", "3"), sell(2, "PAIN-AU-CHOCOLAT", "2")]
        result = priced(only(discount), lines)
        assert discounts_on(result, 2) == {"5th": 9900}
        assert discounts_on(result, 1) == {}

    def test_every_second_unit_at_half_price(self):
        discount = Discount("2nd", "2nd at half", QuantityDiscount(2, percent=Decimal(50)))
        result = priced(only(discount), [sell(1, "CROISSANT", "3")])
        assert result.lines[0].discount_minor == 4450

    def test_a_weighed_fraction_never_counts_as_a_unit(self):
        result = priced(only(self.BUY_FOUR_FIFTH_FREE), [sell(1, "CROISSANT", "4.999")])
        assert result.lines[0].discount_minor == 0


class TestCheapestFree:
    def test_three_for_two_frees_the_cheapest_of_each_set_ranked_dearest_first(self):
        prices = [1000, 900, 800, 300, 200, 100]
        lines = [sell(n, "CROISSANT", unit_price_minor=p) for n, p in enumerate(prices, 1)]
        discount = Discount("3for2", "3 for 2", CheapestFree(3, segment="Bakery"))
        result = priced(only(discount), lines)
        assert [line.discount_minor for line in result.lines] == [0, 0, 800, 0, 0, 100]

    def test_an_incomplete_set_gives_nothing(self):
        discount = Discount("3for2", "3 for 2", CheapestFree(3, segment="Bakery"))
        result = priced(only(discount), [sell(1, "CROISSANT", "2")])
        assert result.discount_total_minor == 0


class TestGift:
    MUG_FOR_TWO_BAGS = Discount(
        "mug", "A mug for two bags of coffee", Gift(2, "Coffee", gift_item_id=107)
    )

    def test_gift_not_on_the_receipt_is_returned_as_a_line_to_add(self):
        result = priced(only(self.MUG_FOR_TWO_BAGS), [sell(1, "ESPRESSO-BEANS-1KG", "5")])
        assert result.gift_lines == (
            GiftLine(107, Decimal(2), 0, "mug", "A mug for two bags of coffee"),
        )
        assert result.discount_total_minor == 0

    def test_gift_item_already_on_the_receipt_is_discounted_instead(self):
        lines = [sell(1, "ESPRESSO-BEANS-1KG", "2"), sell(2, "BRANDED-MUG")]
        result = priced(only(self.MUG_FOR_TWO_BAGS), lines)
        assert result.gift_lines == ()
        assert discounts_on(result, 2) == {"mug": 45000}

    def test_repricing_with_the_added_gift_line_asks_for_no_second_gift(self):
        lines = [sell(1, "ESPRESSO-BEANS-1KG", "2"), sell(2, "BRANDED-MUG", is_gift=True)]
        result = priced(only(self.MUG_FOR_TWO_BAGS), lines)
        assert result.gift_lines == ()
        assert result.lines[1].amount_minor == 0

    def test_gift_at_a_set_price(self):
        discount = Discount("mug", "Mug for 1.00", Gift(2, "Coffee", 107, gift_price_minor=100))
        lines = [sell(1, "ESPRESSO-BEANS-1KG", "2"), sell(2, "BRANDED-MUG", is_gift=True)]
        assert priced(only(discount), lines).lines[1].amount_minor == 100

    def test_gift_needs_enough_qualifying_units(self):
        result = priced(only(self.MUG_FOR_TWO_BAGS), [sell(1, "ESPRESSO-BEANS-1KG")])
        assert result.gift_lines == ()
