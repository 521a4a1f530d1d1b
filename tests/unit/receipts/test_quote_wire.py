"""The quote's direct load and dump give what its schemas would, and step aside otherwise."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema

from pos.core.fastdump import FastDumpSchema
from pos.receipts.model import ReceiptLine
from pos.receipts.quote_lines import QuotedLine
from pos.receipts.quote_wire import plain_basket
from pos.receipts.schemas import QuoteResultSchema, QuoteSchema
from tests.unit.receipts import wire_loads


def both_loads(body: Any) -> tuple[Any, Any]:
    """Return what the quote schema loads of ``body`` and what marshmallow alone loads."""
    return wire_loads.both_loads(QuoteSchema(), body)


PLAIN = {"till_id": 1, "lines": [{"sku": "OAT-MILK-1L", "quantity": "2"},
                                 {"code": "4600000000017"},
                                 {"sku": "BANANAS", "quantity": "0.455",
                                  "weight_source": "scale"}]}


class TestLoad:
    def test_a_plain_basket_takes_the_direct_path_to_the_schemas_load(self):
        assert plain_basket(PLAIN) is not None
        fast, slow = both_loads(PLAIN)
        assert fast == slow
        assert fast["lines"][2]["quantity"] == Decimal("0.455")
        assert fast["payment_forms"] == []

    def test_anything_unusual_is_left_to_marshmallow(self):
        for body in [
            {**PLAIN, "till_id": True},
            {**PLAIN, "till_id": "1"},
            {**PLAIN, "lines": [{"sku": "OAT-MILK-1L", "code": "1"}]},
            {**PLAIN, "lines": [{"sku": "OAT-MILK-1L", "quantity": 0.5}]},
            {**PLAIN, "lines": [{"sku": "OAT-MILK-1L", "quantity": "0"}]},
            {**PLAIN, "lines": [{"sku": "OAT\x00MILK"}]},
            {**PLAIN, "lines": [{"certificate": {"type_id": 1}}]},
            {**PLAIN, "colour": "red"},
            {**PLAIN, "lines": []},
        ]:
            assert plain_basket(body) is None, body
            fast, slow = both_loads(body)
            assert fast == slow, body

    @settings(max_examples=300, deadline=None)
    @given(st.dictionaries(
        st.sampled_from(["till_id", "lines", "card_code", "payment_forms", "other"]),
        st.one_of(
            st.integers(-2, 2**64), st.text(max_size=70), st.none(), st.booleans(),
            st.lists(st.one_of(
                st.dictionaries(
                    st.sampled_from(["sku", "code", "quantity", "weight_source", "x"]),
                    st.one_of(st.text(max_size=66), st.integers(-1, 10**6), st.none(),
                              st.floats(allow_nan=True), st.sampled_from(["1", "2.5", "1e3"]))),
                st.text(max_size=3)), max_size=4),
            st.lists(st.text(max_size=3), max_size=3)),
    ))
    def test_every_body_loads_or_is_refused_as_marshmallow_would(self, body):
        fast, slow = both_loads(body)
        assert fast == slow

    @settings(max_examples=300, deadline=None)
    @given(st.integers(0, 3), st.lists(st.fixed_dictionaries(
        {"sku": st.text(min_size=0, max_size=66)},
        optional={"quantity": st.one_of(
            st.sampled_from(["1", "2", "0.455", "0.0001", "99999.999", "100000", "-1", " 2",
                             "2 ", "1e2", "1_0", "٣", "NaN", "1.5"]),
            st.integers(-1, 10**6)),
            "weight_source": st.sampled_from(["scale", "manual", "", "x\x00"])}),
        max_size=5))
    def test_a_nearly_plain_basket_loads_as_marshmallow_would(self, till_id, lines):
        fast, slow = both_loads({"till_id": till_id, "lines": lines})
        assert fast == slow


def quoted(line_no: int, **changes: Any) -> QuotedLine:
    line = QuotedLine(line_no, 7, "OAT-MILK-1L", "Oat milk 1 l", Decimal("2.000"), 12_990,
                      25_980, "vat20", None, discount_minor=1_299, amount_minor=24_681,
                      discounts=[{"discount_id": "d1", "amount_minor": 1_299}])
    for name, value in changes.items():
        setattr(line, name, value)
    return line


class TestDump:
    def test_the_answer_is_what_the_result_schema_dumps(self):
        receipt_line = ReceiptLine(line_no=3, item_id=9, sku="GIFT-CARD", name="Gift card",
                                   quantity_milli=1_000, unit_price_minor=50_000,
                                   base_amount_minor=50_000, discount_minor=0,
                                   amount_minor=50_000, vat_rate="none", weight_source=None,
                                   is_gift=False, certificate_type_id=4, discounts=[])
        result = {"lines": [quoted(1), quoted(2, weight_source="manual", discount_minor=-50,
                                                code="2200001004550"), receipt_line],
                  "total_minor": 99_311, "discount_minor": 1_249,
                  "hints": [{"discount_id": "d2", "message": "Add 1 more item"}],
                  "gift_lines": [{"item_id": 5, "quantity": "1"}],
                  "pricing_trace": [{"line_no": 1, "event": "applied", "discount_id": "d1"}]}
        schema = QuoteResultSchema()
        answer = schema.dump(result)
        assert answer == Schema.dump(schema, result) == FastDumpSchema.dump(schema, result)
        assert answer["lines"][1]["discount"] == "-0.50"
        assert answer["lines"][1]["is_manual_weight"] is True

    def test_a_result_without_a_trace_is_dumped_without_one(self):
        result = {"lines": [quoted(1)], "total_minor": 24_681, "discount_minor": 1_299,
                  "hints": [], "gift_lines": []}
        schema = QuoteResultSchema()
        answer = schema.dump(result)
        assert answer == Schema.dump(schema, result) == FastDumpSchema.dump(schema, result)
        assert "pricing_trace" not in answer and answer["total"] == "246.81"
