"""The PAN detector and the payment registry."""

from __future__ import annotations

import pytest

from pos.core.errors import ValidationError
from pos.receipts import payments


class TestPan:
    @pytest.mark.parametrize("text", ["4111111111111111", "4111 1111 1111 1111",
                                      "ref:5500-0000-0000-0004", "x378282246310005y",
                                      "6011111111111117"])
    def test_card_numbers_are_recognised(self, text):
        assert payments.looks_like_pan(text)

    @pytest.mark.parametrize("text", ["4242", "T-000123", "123456789012", "4111111111111112",
                                      "VISA"])
    def test_short_or_failing_luhn_numbers_pass(self, text):
        assert not payments.looks_like_pan(text)

    def test_reject_pans_names_the_field(self):
        with pytest.raises(ValidationError) as error:
            payments.reject_pans({"card_brand": "VISA", "terminal_ref": "4111111111111111"})
        assert error.value.code == "card_number_rejected"
        assert "terminal_ref" in error.value.errors


class TestRegistry:
    def test_cash_gives_change_and_card_does_not(self):
        assert payments.payment_type("cash").gives_change
        assert not payments.payment_type("card").gives_change

    def test_a_new_type_can_be_registered(self):
        payments.register(payments.PaymentType("bonus_points", fields=("card_code",)))
        try:
            assert "bonus_points" in payments.names()
        finally:
            payments._REGISTRY.pop("bonus_points")

    def test_unknown_type_has_a_stable_code(self):
        with pytest.raises(ValidationError) as error:
            payments.payment_type("barter")
        assert error.value.code == "unknown_payment_type"
