"""The one-shot upload's direct load gives what its schema would, and steps aside otherwise."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pos.receipts.schemas import NewReceiptSchema
from pos.receipts.upload_wire import plain_receipt
from tests.unit.receipts import wire_loads


def both_loads(body: Any) -> tuple[Any, Any]:
    """Return what the upload schema loads of ``body`` and what marshmallow alone loads."""
    return wire_loads.both_loads(NewReceiptSchema(), body)


PLAIN = {"till_id": 1, "client_uuid": "7d3f0c1e-3c0a-4d8e-9a51-6f0f2b1c9e77",
         "lines": [{"sku": "OAT-MILK-1L", "quantity": "2"}, {"code": "4600000000017"},
                   {"sku": "BANANAS", "quantity": "0.455", "weight_source": "scale"}],
         "payments": [{"type": "card", "amount": "100.00"}, {"type": "cash", "amount": 5}],
         "card_code": "2900000000018", "customer_ref": "C-17"}


class TestLoad:
    def test_a_plain_upload_takes_the_direct_path_to_the_schemas_load(self):
        assert plain_receipt(PLAIN) is not None
        fast, slow = both_loads(PLAIN)
        assert fast == slow
        assert fast["payments"] == [{"type": "card", "amount": 10_000, "details": {}},
                                    {"type": "cash", "amount": 500, "details": {}}]
        assert fast["lines"][2]["quantity"] == Decimal("0.455")

    def test_a_bank_cards_brand_last_four_and_terminal_reference_take_the_direct_path(self):
        body = {**PLAIN, "payments": [
            {"type": "card", "amount": "50.00", "card_brand": "VISA", "card_last4": "4242",
             "terminal_ref": "T-0017"},
            {"type": "card", "amount": "1", "card_last4": "0005"}]}
        assert plain_receipt(body) is not None
        fast, slow = both_loads(body)
        assert fast == slow
        assert fast["payments"][0] == {"type": "card", "amount": 5000, "card_brand": "VISA",
                                       "card_last4": "4242", "terminal_ref": "T-0017",
                                       "details": {}}

    def test_an_empty_upload_opens_a_receipt_as_the_schema_loads_it(self):
        assert plain_receipt({"till_id": 3}) == {"till_id": 3, "lines": [], "payments": []}
        fast, slow = both_loads({"till_id": 3})
        assert fast == slow

    def test_anything_unusual_is_left_to_marshmallow(self):
        for body in [
            {**PLAIN, "till_id": True},
            {**PLAIN, "sold_at": "2026-12-01T10:00:00+00:00"},
            {**PLAIN, "client_uuid": None},
            {**PLAIN, "card_code": "x" * 65},
            {**PLAIN, "payments": [{"type": "card", "amount": "1", "details": {"a": 1}}]},
            {**PLAIN, "payments": [{"type": "card", "amount": "1", "card_brand": "V" * 33}]},
            {**PLAIN, "payments": [{"type": "card", "amount": "1", "card_brand": None}]},
            {**PLAIN, "payments": [{"type": "card", "amount": "1", "card_last4": 4242}]},
            {**PLAIN, "payments": [{"type": "card", "amount": "1",
                                    "terminal_ref": "4111 1111 1111 1111"}]},
            {**PLAIN, "payments": [{"type": "card", "card_last4": "4242"}]},
            {**PLAIN, "payments": [{"type": "4111111111111111", "amount": "1"}]},
            {**PLAIN, "payments": [{"type": "cash", "amount": "-1"}]},
            {**PLAIN, "payments": [{"type": "cash", "amount": 1.5}]},
            {**PLAIN, "payments": [{"type": "cash"}]},
            {**PLAIN, "payments": [{"type": "cash", "amount": "1"}] * 21},
            {**PLAIN, "lines": [{"certificate": {"type_id": 1}}]},
            {**PLAIN, "lines": [{"sku": "OAT\x00MILK"}]},
            {**PLAIN, "colour": "red"},
        ]:
            assert plain_receipt(body) is None, body
            fast, slow = both_loads(body)
            assert fast == slow, body

    def test_a_card_number_as_a_payment_type_is_refused_by_its_own_code(self):
        fast, slow = both_loads({**PLAIN, "payments": [{"type": "4111 1111 1111 1111",
                                                        "amount": "1"}]})
        assert fast == slow
        assert fast[:2] == ("refused", "card_number_rejected")

    @settings(max_examples=300)
    @given(st.dictionaries(
        st.sampled_from(["till_id", "client_uuid", "lines", "payments", "card_code", "other"]),
        st.one_of(
            st.integers(-2, 2**64), st.text(max_size=70), st.none(), st.booleans(),
            st.lists(st.one_of(
                st.dictionaries(
                    st.sampled_from(["sku", "code", "quantity", "type", "amount", "details"]),
                    st.one_of(st.text(max_size=66), st.integers(-1, 10**12), st.none(),
                              st.floats(allow_nan=True),
                              st.sampled_from(["1", "2.5", "1e3", "0.001", "cash", "points"]))),
                st.text(max_size=3)), max_size=4)),
    ))
    def test_every_body_loads_or_is_refused_as_marshmallow_would(self, body):
        fast, slow = both_loads(body)
        assert fast == slow

    @settings(max_examples=300)
    @given(st.lists(st.fixed_dictionaries(
        {"type": st.sampled_from(["card", "cash"]), "amount": st.just("1.00")},
        optional={name: st.one_of(
            st.text(max_size=70), st.none(), st.integers(0, 10**19),
            st.sampled_from(["VISA", "4242", "4111111111111111", "4111-1111-1111-1111",
                             "x" * 32, "x" * 33, "y" * 64, "y" * 65, "T\x00"]))
            for name in ("card_brand", "card_last4", "terminal_ref", "details")}),
        max_size=3))
    def test_card_payments_load_as_marshmallow_would(self, payments):
        fast, slow = both_loads({"till_id": 1, "lines": [{"sku": "A"}], "payments": payments})
        assert fast == slow

    @settings(max_examples=300)
    @given(st.lists(st.fixed_dictionaries(
        {"type": st.sampled_from(["cash", "card", "points", "", "x" * 40, "c\x00sh", "4242"]),
         "amount": st.one_of(
             st.sampled_from(["0", "0.01", "12.30", "12.345", "999999999", "1000000000",
                              "-1", " 1", "1e2", "٣", "NaN", ""]),
             st.integers(-1, 2**63))}), max_size=3))
    def test_nearly_plain_payments_load_as_marshmallow_would(self, payments):
        fast, slow = both_loads({"till_id": 1, "lines": [{"sku": "A"}], "payments": payments})
        assert fast == slow
