"""Barcodes: check digits, kinds, weight and price barcodes."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos.core.barcode import (
    BarcodeError,
    WeightLayout,
    classify,
    decode_weight_barcode,
    encode_weight_barcode,
    gs1_check_digit,
)

WEIGHT = WeightLayout.parse("20-25", "PPCCCCCWWWWWK")
PRICE = WeightLayout.parse("26-27", "PPCCCCCMMMMMK")


class TestClassify:
    @pytest.mark.parametrize("code,kind", [
        ("4006381333931", "ean13"), ("96385074", "ean8"), ("036000291452", "upca"),
        ("ABC-123", "internal"), ("12345", "internal"),
    ])
    def test_known_codes_get_their_kind(self, code, kind):
        assert classify(code) == kind

    @pytest.mark.parametrize("code", ["4006381333932", "96385075", "036000291453"])
    def test_a_wrong_check_digit_is_refused(self, code):
        with pytest.raises(BarcodeError) as error:
            classify(code)
        assert error.value.code == "invalid_check_digit"

    def test_an_explicit_internal_kind_skips_the_check_digit(self):
        assert classify("4006381333932", "internal") == "internal"

    @pytest.mark.parametrize("code", ["²" * 13, "²" * 8, "٣" * 13, "4006381333²31"])
    def test_digits_other_than_ascii_are_an_internal_code_never_a_gs1_one(self, code):
        # str.isdigit takes "²" (which int() refuses) and "٣" (which int() reads as 3).
        assert classify(code) == "internal"
        assert decode_weight_barcode(code, [WEIGHT]) is None

    def test_blank_and_spaced_codes_are_refused(self):
        for bad in ("", "12 34", "x" * 65):
            with pytest.raises(BarcodeError):
                classify(bad)


class TestWeightBarcodes:
    def test_weight_barcode_gives_plu_and_kilograms(self):
        code = "2000001004550"[:12]
        code += str(gs1_check_digit(code))
        decoded = decode_weight_barcode(code, [WEIGHT])
        assert decoded is not None
        assert decoded.plu == 1 and decoded.weight_kg == Decimal("0.455")

    def test_price_barcode_gives_plu_and_amount(self):
        code = encode_weight_barcode("26", 42, 5910, PRICE)
        decoded = decode_weight_barcode(code, [WEIGHT, PRICE])
        assert decoded is not None
        assert decoded.plu == 42 and decoded.amount_minor == 5910 and decoded.weight_kg is None

    def test_prefix_outside_every_layout_is_an_ordinary_code(self):
        assert decode_weight_barcode("4006381333931", [WEIGHT]) is None

    def test_weight_barcode_with_bad_check_digit_is_refused(self):
        good = encode_weight_barcode("21", 7, 1250, WEIGHT)
        bad = good[:-1] + str((int(good[-1]) + 1) % 10)
        with pytest.raises(BarcodeError):
            decode_weight_barcode(bad, [WEIGHT])

    @given(st.sampled_from(["20", "21", "22", "23", "24", "25"]),
           st.integers(min_value=1, max_value=99999), st.integers(min_value=0, max_value=99999))
    def test_encode_then_decode_round_trips(self, prefix, plu, grams):
        decoded = decode_weight_barcode(encode_weight_barcode(prefix, plu, grams, WEIGHT), [WEIGHT])
        assert decoded is not None
        assert (decoded.plu, decoded.weight_kg) == (plu, Decimal(grams).scaleb(-3))

    @pytest.mark.parametrize("prefixes,pattern", [
        ("20", "PPCCCCCWWWWW"), ("20", "PPCCCCCWWWWMK"), ("19", "PPCCCCCWWWWWK"),
        ("20", "XPCCCCCWWWWWK"),
    ])
    def test_bad_layout_settings_are_refused(self, prefixes, pattern):
        with pytest.raises(ValueError):
            WeightLayout.parse(prefixes, pattern)
