"""Discount management API: the tree, validation, order, activation, limits, rights."""

from sqlalchemy import func, select

from pos.discounts.model import DiscountRow, RulesVersion

CARD_5 = {"name": "Card 5%", "kind": "card", "benefit": {"type": "percent_off", "percent": "5"},
          "card_types": ["SILVER"]}
CAMPAIGN_10 = {"name": "Campaign 10%", "kind": "campaign",
               "benefit": {"type": "percent_off", "percent": "10"}}


def count(db):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(DiscountRow))


def version(db):
    with db.read() as s:
        return s.scalar(select(RulesVersion.changes)) or 0


class TestTree:
    def test_manager_builds_a_nested_tree_in_order(self, api):
        manager = api.as_("manager")
        group = manager.post("/api/v1/discount-groups",
                             json={"name": "Loyalty", "rule": "priority"})
        assert group.status_code == 201, group.get_json()
        gid = group.get_json()["id"]
        card = manager.post("/api/v1/discounts", json={**CARD_5, "group_id": gid})
        camp = manager.post("/api/v1/discounts", json={**CAMPAIGN_10, "group_id": gid})
        assert card.status_code == camp.status_code == 201
        moved = manager.post(f"/api/v1/discounts/{camp.get_json()['id']}/move",
                             json={"position": 0})
        assert moved.status_code == 204
        tree = manager.get("/api/v1/discounts/tree").get_json()
        loyalty = tree["groups"][0]
        assert loyalty["rule"] == "priority"
        assert [d["name"] for d in loyalty["discounts"]] == ["Campaign 10%", "Card 5%"]

    def test_each_change_bumps_the_rules_version(self, api, db):
        before = version(db)
        created = api.as_("manager").post("/api/v1/discounts", json=CAMPAIGN_10).get_json()
        api.as_("manager").post(f"/api/v1/discounts/{created['id']}/deactivate")
        assert version(db) == before + 2

    def test_deactivate_and_activate(self, api):
        manager = api.as_("manager")
        did = manager.post("/api/v1/discounts", json=CAMPAIGN_10).get_json()["id"]
        assert manager.post(f"/api/v1/discounts/{did}/deactivate").get_json()["is_active"] is False
        assert manager.post(f"/api/v1/discounts/{did}/activate").get_json()["is_active"] is True

    def test_money_round_trips_as_decimal_strings(self, api):
        body = {"name": "50 off", "benefit": {"type": "amount_off", "amount": "50.00",
                                              "per": "line"},
                "conditions": [{"type": "receipt_volume", "min_amount": "3000.00"},
                               {"type": "time_of_sale", "weekdays": [0, 4],
                                "ranges": [{"start": "20:00", "end": "22:00"}]}]}
        created = api.as_("manager").post("/api/v1/discounts", json=body)
        assert created.status_code == 201, created.get_json()
        data = created.get_json()
        assert data["benefit"] == {"type": "amount_off", "amount": "50.00", "per": "line"}
        assert data["conditions"][0]["min_amount"] == "3000.00"
        assert data["conditions"][1]["ranges"] == [{"start": "20:00", "end": "22:00"}]


class TestBadRules:
    def post(self, api, **changes):
        return api.as_("manager").post("/api/v1/discounts", json={**CAMPAIGN_10, **changes})

    def test_percent_outside_0_100_is_refused(self, api, db):
        response = self.post(api, benefit={"type": "percent_off", "percent": "120"})
        assert response.status_code == 422
        assert "benefit" in response.get_json()["errors"]
        assert count(db) == 0

    def test_unknown_items_and_segments_are_named(self, api, db):
        response = self.post(api, item_ids=[999], segment="NOPE")
        body = response.get_json()
        assert response.status_code == 422 and body["code"] == "unknown_item"
        assert {"item_ids", "segment"} <= set(body["errors"])
        assert count(db) == 0

    def test_dates_out_of_order(self, api):
        response = self.post(api, valid_from="2026-12-01", valid_to="2026-11-01")
        assert response.get_json()["code"] == "dates_out_of_order"

    def test_fields_of_another_benefit_type_are_refused(self, api):
        response = self.post(api, benefit={"type": "percent_off", "percent": "5",
                                           "every_nth": 5})
        assert response.status_code == 422

    def test_a_rule_problem_names_the_discount_where_it_sits_in_the_tree(self, api, db):
        manager = api.as_("manager")
        gid = manager.post("/api/v1/discount-groups", json={"name": "A", "rule": "max"}
                           ).get_json()["id"]
        assert self.post(api, group_id=gid).status_code == 201
        empty = [{"type": "time_of_sale", "ranges": [{"start": "09:00", "end": "09:00"}]}]
        response = self.post(api, group_id=gid, conditions=empty)
        assert response.status_code == 422
        assert response.get_json()["code"] == "time_range_empty"
        assert list(response.get_json()["errors"]) == ["children[0].children[1].conditions[0]"
                                                       ".ranges[0]"]
        assert count(db) == 1

    def test_a_change_that_breaks_a_rule_is_refused_and_writes_nothing(self, api):
        manager = api.as_("manager")
        created = self.post(api).get_json()
        markup = {"type": "markup", "percent": "5"}
        refined = [{"price_group": "DAIRY", "benefit": markup},
                   {"price_group": "DAIRY", "benefit": markup}]
        response = manager.patch(f"/api/v1/discounts/{created['id']}",
                                 json={"refinements": refined})
        assert response.get_json()["code"] == "refinement_repeated"
        stored = manager.get("/api/v1/discounts").get_json()["items"][0]
        assert stored["refinements"] == []

    def test_a_group_cannot_move_inside_itself(self, api):
        manager = api.as_("manager")
        outer = manager.post("/api/v1/discount-groups", json={"name": "A", "rule": "sum"})
        inner = manager.post("/api/v1/discount-groups", json={
            "name": "B", "rule": "max", "parent_id": outer.get_json()["id"]})
        cycle = manager.patch(f"/api/v1/discount-groups/{outer.get_json()['id']}",
                              json={"parent_id": inner.get_json()["id"]})
        assert cycle.status_code == 422 and cycle.get_json()["code"] == "group_cycle"

    def test_a_group_with_members_is_not_deleted(self, api):
        manager = api.as_("manager")
        gid = manager.post("/api/v1/discount-groups", json={"name": "A", "rule": "sum"}
                           ).get_json()["id"]
        manager.post("/api/v1/discounts", json={**CAMPAIGN_10, "group_id": gid})
        response = manager.delete(f"/api/v1/discount-groups/{gid}")
        assert response.get_json()["code"] == "group_not_empty"

    def test_manual_discounts_join_in_one_group_only(self, api):
        manager = api.as_("manager")
        manager.post("/api/v1/discount-groups", json={"name": "A", "rule": "sum",
                                                      "holds_manual": True})
        second = manager.post("/api/v1/discount-groups", json={"name": "B", "rule": "sum",
                                                               "holds_manual": True})
        assert second.get_json()["code"] == "manual_slot_repeated"

    def test_unknown_discount_is_404(self, api):
        response = api.as_("manager").patch("/api/v1/discounts/999", json={"name": "x"})
        assert response.get_json()["code"] == "discount_not_found"


class TestRightsAndLimits:
    def test_cashier_cannot_manage_discounts(self, api):
        assert api.post("/api/v1/discounts", json=CAMPAIGN_10).status_code == 403
        assert api.get("/api/v1/discounts/tree").status_code == 403

    def test_limits_table_is_replaced_whole(self, api):
        manager = api.as_("manager")
        body = {"limits": [{"user_group": "cashiers", "max_percent": "5"},
                           {"user_group": "cashiers", "price_group": "DAIRY",
                            "max_percent": "10"}]}
        response = manager.put("/api/v1/manual-discount-limits", json=body)
        assert response.status_code == 200, response.get_json()
        assert len(manager.get("/api/v1/manual-discount-limits").get_json()) == 2
        dup = manager.put("/api/v1/manual-discount-limits", json={"limits": [
            body["limits"][0], body["limits"][0]]})
        assert dup.get_json()["code"] == "duplicate_limit"


class TestCapPerReceipt:
    ONE_FREE = {"name": "3 for 2, once per receipt", "segment": "MILK",
                "benefit": {"type": "cheapest_free", "set_size": 3, "max_per_receipt": 1}}

    def test_the_cap_is_shown_by_create_list_tree_and_update(self, api):
        manager = api.as_("manager")
        created = manager.post("/api/v1/discounts", json=self.ONE_FREE)
        assert created.status_code == 201, created.get_json()
        assert created.get_json()["benefit"]["max_per_receipt"] == 1
        listed = manager.get("/api/v1/discounts").get_json()["items"]
        assert listed[0]["benefit"]["max_per_receipt"] == 1
        tree = manager.get("/api/v1/discounts/tree").get_json()
        assert tree["discounts"][0]["benefit"]["max_per_receipt"] == 1
        updated = manager.patch(f"/api/v1/discounts/{created.get_json()['id']}", json={
            "benefit": {"type": "quantity_discount", "every_nth": 2, "max_per_receipt": 3}})
        assert updated.status_code == 200, updated.get_json()
        assert updated.get_json()["benefit"]["max_per_receipt"] == 3

    def test_a_cap_below_one_or_not_an_integer_is_refused(self, api, db):
        for cap in (0, -1, "one", 1.5):
            body = {**self.ONE_FREE, "benefit": {**self.ONE_FREE["benefit"],
                                                 "max_per_receipt": cap}}
            response = api.as_("manager").post("/api/v1/discounts", json=body)
            assert response.status_code == 422, cap
            assert "benefit" in response.get_json()["errors"]
        assert count(db) == 0

    def test_a_cap_is_not_a_field_of_a_percent(self, api):
        body = {**CAMPAIGN_10, "benefit": {"type": "percent_off", "percent": "5",
                                           "max_per_receipt": 1}}
        assert api.as_("manager").post("/api/v1/discounts", json=body).status_code == 422
