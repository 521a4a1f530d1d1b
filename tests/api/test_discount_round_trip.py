"""Every condition and benefit kind survives create -> list -> tree -> update unchanged.

The kinds come from the schemas' own tables, so a new kind without a sample here fails.
Money is a decimal string; a quantity may be sent as a JSON number or a string.
"""

from __future__ import annotations

import pytest

from pos.discounts.schemas import (
    BENEFIT_FIELDS,
    CONDITION_FIELDS,
    BenefitSchema,
    ConditionSchema,
)


def condition_samples(shop) -> dict[str, list[tuple[dict, dict]]]:
    """Return per condition kind the (sent, shown) pairs that use all its fields."""
    return {
        "receipt_volume": [
            ({"min_amount": "3000.00", "min_quantity": 2.5, "segment": "MILK"},
             {"min_amount": "3000.00", "min_quantity": "2.500", "segment": "MILK"}),
            ({"min_quantity": "6"}, {"min_quantity": "6.000"}),
        ],
        "accumulated_volume": [({"min_amount": "400.00"}, {"min_amount": "400.00"})],
        "segment_quantity": [
            ({"segment": "MILK", "min_quantity": "5"},
             {"segment": "MILK", "min_quantity": "5.000"}),
            ({"segment": "MILK", "min_quantity": 5}, {"segment": "MILK", "min_quantity": "5.000"}),
        ],
        "first_purchase": [({}, {})],
        "first_purchase_from_segment": [({"segment": "FRUIT"}, {"segment": "FRUIT"})],
        "time_of_sale": [
            ({"weekdays": [0, 4], "ranges": [{"start": "20:00", "end": "02:00"}]},
             {"weekdays": [0, 4], "ranges": [{"start": "20:00", "end": "02:00"}]}),
        ],
        "payment_form": [({"forms": ["cash", "card"]}, {"forms": ["cash", "card"]})],
        "card_types": [({"types": ["GOLD"]}, {"types": ["GOLD"]})],
        "cashier_group": [({"groups": ["seniors"]}, {"groups": ["seniors"]})],
        "customer_segment": [({"segments": ["pensioners"]}, {"segments": ["pensioners"]})],
        "store_in": [({"store_ids": [shop.store_id]}, {"store_ids": [shop.store_id]})],
        "date_range": [
            ({"start": "2026-11-01", "end": "2026-12-31"},
             {"start": "2026-11-01", "end": "2026-12-31"}),
        ],
    }


def benefit_samples(shop) -> dict[str, list[tuple[dict, dict]]]:
    """Return per benefit kind the (sent, shown) pairs that use all its fields."""
    milk = shop.items["MILK-1L"]
    return {
        "percent_off": [({"percent": "12.5"}, {"percent": "12.50"})],
        "amount_off": [({"amount": "50.00", "per": "line"}, {"amount": "50.00", "per": "line"})],
        "fixed_price": [({"price": "9.99"}, {"price": "9.99"})],
        "markup": [
            ({"percent": "5"}, {"percent": "5.00"}),
            ({"amount": "3.00", "per": "document"}, {"amount": "3.00", "per": "document"}),
        ],
        "quantity_discount": [
            ({"every_nth": 3, "percent": "50", "cheapest_first": False, "max_per_receipt": 2},
             {"every_nth": 3, "percent": "50.00", "cheapest_first": False,
              "max_per_receipt": 2}),
        ],
        "gift": [
            ({"required_qty": 2, "gift_item_id": milk, "required_segment": "MILK",
              "gift_price": "1.00", "max_per_receipt": 1},
             {"required_qty": 2, "gift_item_id": milk, "required_segment": "MILK",
              "gift_price": "1.00", "max_per_receipt": 1}),
        ],
        "cheapest_free": [
            ({"set_size": 3, "segment": "MILK", "max_per_receipt": 1},
             {"set_size": 3, "segment": "MILK", "max_per_receipt": 1}),
        ],
    }


def json_names(schema, names: set[str]) -> set[str]:
    return {schema.fields[name].data_key or name for name in names}


class Manager:
    """Create, list, tree and update one discount, checking every answer."""

    def __init__(self, api):
        self.api = api.as_("manager")

    def create(self, body):
        response = self.api.post("/api/v1/discounts", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def listed(self, discount_id):
        response = self.api.get("/api/v1/discounts")
        assert response.status_code == 200, response.get_json()
        return next(d for d in response.get_json()["items"] if d["id"] == discount_id)

    def in_tree(self, discount_id):
        response = self.api.get("/api/v1/discounts/tree")
        assert response.status_code == 200, response.get_json()
        return next(d for d in response.get_json()["discounts"] if d["id"] == discount_id)

    def update(self, discount_id, changes):
        response = self.api.patch(f"/api/v1/discounts/{discount_id}", json=changes)
        assert response.status_code == 200, response.get_json()
        return response.get_json()


def round_trip(api, field, sent, shown, base):
    manager = Manager(api)
    created = manager.create({**base, field: sent})
    views = [created, manager.listed(created["id"]), manager.in_tree(created["id"])]
    manager.create({"name": "Another", "benefit": {"type": "percent_off", "percent": "1"}})
    views.append(manager.update(created["id"], {"name": "Renamed", field: sent}))
    views.append(manager.listed(created["id"]))
    views.append(manager.in_tree(created["id"]))
    for view in views:
        assert view[field] == shown


@pytest.mark.parametrize("kind", sorted(CONDITION_FIELDS))
def test_every_condition_kind_round_trips(api, shop, kind):
    for sent, shown in condition_samples(shop)[kind]:
        base = {"name": f"When {kind}", "benefit": {"type": "percent_off", "percent": "5"}}
        round_trip(api, "conditions", [{"type": kind, **sent}], [{"type": kind, **shown}], base)


@pytest.mark.parametrize("kind", sorted(BENEFIT_FIELDS))
def test_every_benefit_kind_round_trips(api, shop, kind):
    for sent, shown in benefit_samples(shop)[kind]:
        round_trip(api, "benefit", {"type": kind, **sent}, {"type": kind, **shown},
                   {"name": f"Gives {kind}"})


@pytest.mark.parametrize(("table", "schema", "samples"), [
    (CONDITION_FIELDS, ConditionSchema(), condition_samples),
    (BENEFIT_FIELDS, BenefitSchema(), benefit_samples),
], ids=["conditions", "benefits"])
def test_the_samples_cover_every_kind_and_field(shop, table, schema, samples):
    by_kind = samples(shop)
    assert set(by_kind) == set(table)
    for kind, (required, optional) in table.items():
        used = set().union(*(set(sent) for sent, _ in by_kind[kind]))
        assert used == json_names(schema, required | optional), kind


@pytest.mark.parametrize("quantity", [5, "5", 2.5, "2.5", "0.455"])
def test_a_condition_quantity_is_a_json_number_or_a_string(api, quantity):
    body = {"name": "Milk volume", "benefit": {"type": "percent_off", "percent": "5"},
            "conditions": [{"type": "segment_quantity", "segment": "MILK",
                            "min_quantity": quantity}]}
    created = Manager(api).create(body)
    assert created["conditions"][0]["min_quantity"] == f"{float(quantity):.3f}"


@pytest.mark.parametrize("quantity", [0, -1, "0.0001", True, "lots", 1e-4, 1e300, -2.5, "NaN"])
def test_a_bad_condition_quantity_is_refused_and_nothing_is_stored(api, quantity):
    body = {"name": "Milk volume", "benefit": {"type": "percent_off", "percent": "5"},
            "conditions": [{"type": "segment_quantity", "segment": "MILK",
                            "min_quantity": quantity}]}
    response = api.as_("manager").post("/api/v1/discounts", json=body)
    assert response.status_code == 422, response.get_json()
    assert "conditions" in response.get_json()["errors"]
    assert api.as_("manager").get("/api/v1/discounts").get_json()["total"] == 0
