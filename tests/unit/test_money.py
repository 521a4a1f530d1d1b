"""Money kernel: parsing, formatting, the one rounding policy, exact allocation."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.core.money import (
    MoneyFormatError,
    allocate,
    format_minor,
    line_amount,
    parse_minor,
    parse_quantity,
    percent_of,
    quantity_for_amount,
    round_to_step,
    rounding,
)


class TestParsingAndFormatting:
    def test_decimal_string_becomes_minor_units(self):
        assert parse_minor("12.30") == 1230
        assert parse_minor("0.01") == 1
        assert parse_minor("-5") == -500

    def test_more_places_than_the_currency_has_are_refused(self):
        with pytest.raises(MoneyFormatError):
            parse_minor("12.305")

    def test_floats_and_garbage_are_refused(self):
        for bad in (12.3, "12,30", "abc", "NaN", "Infinity", ""):
            with pytest.raises(MoneyFormatError):
                parse_minor(bad)  # type: ignore[arg-type]

    def test_zero_exponent_currency_has_no_decimal_point(self):
        assert format_minor(1500, exponent=0) == "1500"
        assert parse_minor("1500", exponent=0) == 1500

    @given(st.integers(min_value=-10**15, max_value=10**15))
    def test_format_then_parse_gives_the_same_amount(self, amount):
        assert parse_minor(format_minor(amount)) == amount

    def test_quantity_takes_three_places_at_most(self):
        assert parse_quantity("0.455") == Decimal("0.455")
        with pytest.raises(MoneyFormatError):
            parse_quantity("0.4555")

    def test_a_quantity_too_large_to_hold_is_a_format_error(self):
        with pytest.raises(MoneyFormatError):
            parse_quantity("1e300")


class TestRounding:
    def test_line_amount_rounds_half_up_once(self):
        assert line_amount(12990, Decimal("0.455")) == 5910  # 5910.45 -> 5910
        assert line_amount(1, Decimal("0.500")) == 1  # 0.5 -> 1 (half up)

    def test_half_even_policy_is_selectable(self):
        with rounding("half_even"):
            assert line_amount(1, Decimal("0.500")) == 0
        assert line_amount(1, Decimal("0.500")) == 1  # the block's policy ends with it

    def test_unknown_policy_is_refused(self):
        with pytest.raises(ValueError):
            with rounding("bankers"):
                pass

    def test_percent_and_step_rounding(self):
        assert percent_of(100000, Decimal("3")) == 3000
        assert percent_of(999, Decimal("10")) == 100  # 99.9 -> 100
        assert round_to_step(12345, 10) == 12350
        assert round_to_step(12349, 100) == 12300

    def test_quantity_for_amount_inverts_a_price_barcode(self):
        assert quantity_for_amount(5910, 12990) == Decimal("0.455")


class TestAllocate:
    def test_three_way_split_gives_the_extra_unit_to_the_first(self):
        assert allocate(100, [1, 1, 1]) == [34, 33, 33]

    def test_split_follows_the_weights(self):
        assert allocate(3000, [100000, 50000, 0]) == [2000, 1000, 0]

    def test_negative_total_is_split_like_its_absolute_value(self):
        assert allocate(-10, [3, 7]) == [-3, -7]

    def test_decimal_weights_are_exact(self):
        assert allocate(10, [Decimal("0.5"), Decimal("1.5")]) == [3, 7]  # 2.5 -> tie -> first

    def test_empty_or_zero_weights_are_refused(self):
        with pytest.raises(ValueError):
            allocate(10, [])
        with pytest.raises(ValueError):
            allocate(10, [0, 0])

    @given(st.integers(min_value=-10**12, max_value=10**12),
           st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=50)
           .filter(lambda ws: sum(ws) > 0))
    def test_parts_always_add_up_exactly(self, total, weights):
        parts = allocate(total, weights)
        assert sum(parts) == total
        assert len(parts) == len(weights)

    @given(st.integers(min_value=0, max_value=10**12),
           st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=50)
           .filter(lambda ws: sum(ws) > 0))
    def test_each_part_is_within_one_unit_of_its_exact_share(self, total, weights):
        parts = allocate(total, weights)
        for part, weight in zip(parts, weights, strict=True):
            exact = Decimal(total) * weight / sum(weights)
            assert abs(Decimal(part) - exact) < 1
            if weight == 0:
                assert part == 0

    @given(st.integers(min_value=-10**12, max_value=10**12),
           st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30)
           .filter(lambda ws: sum(ws) > 0))
    def test_amounts_split_as_the_same_weights_given_as_quantities(self, total, weights):
        # Whole-number weights skip the scaling to integers that quantities go through.
        assert allocate(total, weights) == allocate(total, [Decimal(w) for w in weights])

    def test_equal_remainders_go_to_the_earlier_lines(self):
        assert allocate(2, [1, 1, 1, 1]) == [1, 1, 0, 0]
        assert allocate(-2, [1, 1, 1, 1]) == [-1, -1, 0, 0]
