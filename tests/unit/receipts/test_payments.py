"""The PAN detector and the payment type registry."""

from __future__ import annotations

import pytest

from pos.core import pan
from pos.core.errors import ValidationError
from pos.core.registry import PaymentType, PaymentTypes
from pos.receipts.payments import register_payment_types


class TestPan:
    @pytest.mark.parametrize("text", ["4111111111111111", "4111 1111 1111 1111",
                                      "ref:5500-0000-0000-0004", "x378282246310005y",
                                      "6011111111111117"])
    def test_card_numbers_are_recognised(self, text):
        assert pan.looks_like_pan(text)

    @pytest.mark.parametrize("text", ["4242", "T-000123", "123456789012", "4111111111111112",
                                      "VISA"])
    def test_short_or_failing_luhn_numbers_pass(self, text):
        assert not pan.looks_like_pan(text)

    def test_reject_pans_names_the_field(self):
        with pytest.raises(ValidationError) as error:
            pan.reject_pans({"card_brand": "VISA", "terminal_ref": "4111111111111111"})
        assert error.value.code == "card_number_rejected"
        assert "terminal_ref" in error.value.errors


@pytest.fixture
def payment_types() -> PaymentTypes:
    """A registry with what receipts register: cash and card."""
    types = PaymentTypes()
    register_payment_types(types)
    return types


class TestRegistry:
    def test_cash_gives_change_and_card_does_not(self, payment_types):
        assert payment_types.get("cash").gives_change
        assert not payment_types.get("card").gives_change

    def test_a_new_type_can_be_registered(self, payment_types):
        payment_types.register(PaymentType("bonus_points", fields=("card_code",)))
        assert payment_types.names() == ["bonus_points", "card", "cash"]

    def test_two_registries_share_nothing(self, payment_types):
        payment_types.register(PaymentType("bonus_points"))
        other = PaymentTypes()
        register_payment_types(other)
        assert "bonus_points" not in other.names()

    def test_unknown_type_has_a_stable_code(self, payment_types):
        with pytest.raises(ValidationError) as error:
            payment_types.get("barter")
        assert error.value.code == "unknown_payment_type"
