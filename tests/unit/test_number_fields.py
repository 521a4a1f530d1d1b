"""Numbers from clients: out-of-range text, huge floats and exact decimals never crash a parse."""

from __future__ import annotations

from decimal import Decimal
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from pos.core.money import MoneyFormatError, parse_minor, parse_quantity
from pos.core.schemas import MAX_AMOUNT_MAJOR, Boolean, Money, Percent, Quantity


class TestParsingOutOfRange:
    @pytest.mark.parametrize("text", ["1e99999999", "1e-99999999", "1e308", "-1e40"])
    def test_an_amount_far_out_of_range_is_a_format_error(self, text):
        with pytest.raises(MoneyFormatError, match="out of range"):
            parse_minor(text)

    @pytest.mark.parametrize("text", ["1e308", "1.4291062180610007e+308", "1e-99999999"])
    def test_a_quantity_far_out_of_range_is_a_format_error(self, text):
        with pytest.raises(MoneyFormatError, match="out of range"):
            parse_quantity(text)

    def test_zero_in_any_notation_is_zero(self):
        assert parse_minor("0E-100") == 0


class TestQuantityField:
    @pytest.mark.parametrize(("sent", "read"), [
        (0.455, Decimal("0.455")), ("0.455", Decimal("0.455")), (2, Decimal("2.000")),
        (1e-3, Decimal("0.001")), (99999.999, Decimal("99999.999"))])
    def test_a_string_or_a_json_number_is_read_exactly(self, sent, read):
        value = Quantity().deserialize(sent)
        assert value == read and str(value) == str(read)

    @pytest.mark.parametrize("sent", [float("nan"), float("inf"), True, [1], "1e-99999999",
                                      0.0004, 0, -1, "-1e308", "abc", "NaN", "sNaN"])
    def test_anything_else_is_an_invalid_quantity(self, sent):
        with pytest.raises(ValidationError) as refused:
            Quantity().deserialize(sent)
        assert refused.value.messages[0].code == "invalid_quantity"

    @pytest.mark.parametrize("sent", [100000, "100000.000", 1e20, 1e308, "1" + "0" * 40])
    def test_past_the_bound_is_quantity_too_large(self, sent):
        with pytest.raises(ValidationError) as refused:
            Quantity().deserialize(sent)
        assert refused.value.messages[0].code == "quantity_too_large"


class TestPercentField:
    @pytest.mark.parametrize(("sent", "read"), [(5.5, "5.50"), ("12.25", "12.25"), (100, "100.00")])
    def test_a_string_or_a_json_number_is_read_exactly(self, sent, read):
        field = Percent()
        assert field._serialize(field.deserialize(sent), None, None) == read

    @pytest.mark.parametrize("sent", [5.555, -9.013982872036359e+306, 1e306, float("nan"),
                                      float("-inf"), "12.345", "abc", False, 100.01, -0.01])
    def test_off_the_grid_or_out_of_bounds_is_refused(self, sent):
        with pytest.raises(ValidationError):
            Percent().deserialize(sent)

    def test_an_exclusive_minimum_refuses_it(self):
        with pytest.raises(ValidationError, match="above 0"):
            Percent(min_inclusive=False).deserialize("0")


class TestMoneyAndBoolean:
    @pytest.mark.parametrize("sent", ["1000000000", "1e40", "1e99999999", 10**30])
    def test_money_past_the_maximum_is_amount_too_large(self, sent):
        with pytest.raises(ValidationError) as refused:
            Money().deserialize(sent)
        assert refused.value.messages[0].code == "amount_too_large"

    def test_negative_money_has_the_same_bound(self):
        assert Money(allow_negative=True).deserialize("-999999999.99") == -99999999999
        with pytest.raises(ValidationError):
            Money(allow_negative=True).deserialize("-1000000000")

    @pytest.mark.parametrize("sent", [1, 0, "true", "yes", "on", 1.0])
    def test_a_body_boolean_is_a_json_boolean(self, sent):
        with pytest.raises(ValidationError):
            Boolean().deserialize(sent)


class TestMoneyReadAtOnce:
    # A plain "12.30" is read without Decimal: the same minor units parse_minor gives, and
    # every other text (a sign, spaces, an exponent, too many places) is judged as before.
    @given(st.from_regex(r"\A[0-9]{1,10}(\.[0-9]{0,4})?\Z|\A[ +-]?[0-9.eE]{1,12} ?\Z"),
           st.sampled_from([0, 2, 3]))
    def test_a_plain_amount_is_what_parse_minor_reads(self, text, exponent):
        with patch("pos.core.schemas._exponent", return_value=exponent):
            try:
                expected = parse_minor(text, exponent)
            except MoneyFormatError:
                expected = None
            try:
                loaded = Money().deserialize(text)
            except ValidationError:
                loaded = None
        if loaded is not None:
            assert loaded == expected
        elif expected is not None:  # refused: negative or past the maximum, as before
            assert expected < 0 or expected > (MAX_AMOUNT_MAJOR + 1) * 10**exponent - 1

    @pytest.mark.parametrize(("text", "minor"), [("12.30", 1230), ("0.5", 50), ("007", 700),
                                                 ("999999999.99", 99999999999), ("0", 0)])
    def test_plain_amounts(self, text, minor):
        assert Money().deserialize(text) == minor

    @pytest.mark.parametrize(("text", "minor"), [("12.", 1200), (" 1", 100), ("+5", 500),
                                                 ("1.2e2", 12000), ("12.305", None),
                                                 ("1000000000", None), ("-1", None)])
    def test_what_is_not_plain_is_read_as_before(self, text, minor):
        if minor is None:
            with pytest.raises(ValidationError):
                Money().deserialize(text)
        else:
            assert Money().deserialize(text) == minor


class TestDecimalText:
    @pytest.mark.parametrize("text", ["1_000", "1_0.00", "\uff11\uff12", "\u0661\u0662.50",
                                      "0x10", "12,50", "Infinity", "--1"])
    def test_only_ascii_decimal_text_is_an_amount(self, text):
        with pytest.raises(MoneyFormatError, match="is not a decimal number"):
            parse_minor(text)

    @pytest.mark.parametrize(("text", "minor"), [("12.30", 1230), (" 12.3 ", 1230), ("+5", 500),
                                                 (".5", 50), ("5.", 500), ("1.2e2", 12000)])
    def test_plain_decimal_text_is_read(self, text, minor):
        assert parse_minor(text) == minor

    def test_a_quantity_in_another_script_is_refused(self):
        with pytest.raises(MoneyFormatError):
            parse_quantity("\uff11")
