"""HTTP endpoints of discount management: the tree, discounts, groups, order, limits."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from pos.core.schemas import page_of
from pos.core.security import Right
from pos.core.web import ApiBlueprint, current_clock, current_db, idempotent, use_case
from pos.discounts import limits, service
from pos.discounts import simulate as simulation
from pos.discounts.schemas import (
    DiscountFields,
    DiscountQuerySchema,
    DiscountSchema,
    GroupFields,
    GroupSchema,
    LimitSchema,
    LimitsSchema,
    MoveSchema,
    NewDiscountSchema,
    NewGroupSchema,
    TreeNodeSchema,
)
from pos.receipts.quote import Basket
from pos.receipts.schemas import SimulateSchema, SimulationSchema

blp = ApiBlueprint("discounts", __name__, url_prefix="/api/v1",
                   description="Discounts and markups in a tree of combination groups")


@blp.route("/discounts")
class Discounts(MethodView):
    """Discounts."""

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(DiscountQuerySchema, location="query")
    @blp.response(200, page_of(DiscountSchema, "DiscountPage"))
    def get(self, query: dict[str, Any]) -> Any:
        """List discounts, in tree order within each group."""
        return service.list_discounts(current_db(), **query)

    @idempotent
    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(NewDiscountSchema)
    @blp.response(201, DiscountSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a discount at the end of its group (the root group by default)."""
        row = service.create_discount(current_db(), data, current_clock().now())
        return service.as_view(row)


@blp.route("/discounts/tree")
class DiscountTree(MethodView):
    """The whole tree."""

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.response(200, TreeNodeSchema)
    def get(self) -> Any:
        """Return the groups and discounts as the engine combines them, in order."""
        return service.tree_view(current_db())


@blp.route("/discounts/<int:discount_id>")
class DiscountById(MethodView):
    """One discount."""

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(DiscountFields)
    @blp.response(200, DiscountSchema)
    def patch(self, changes: dict[str, Any], discount_id: int) -> Any:
        """Change a discount; lists are replaced whole."""
        row = service.update_discount(current_db(), discount_id, changes,
                                      current_clock().now())
        return service.as_view(row)

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.response(204)
    def delete(self, discount_id: int) -> None:
        """Delete a discount (receipts keep what was applied)."""
        service.delete_discount(current_db(), discount_id)


def _activation(active: bool) -> type[MethodView]:
    class Activation(MethodView):
        @blp.requires(Right.MANAGE_DISCOUNTS)
        @blp.response(200, DiscountSchema)
        def post(self, discount_id: int) -> Any:
            row = service.set_active(current_db(), discount_id, active, current_clock().now())
            return service.as_view(row)

    Activation.post.__doc__ = "Activate a discount." if active else "Deactivate a discount."
    Activation.__name__ = "Activate" if active else "Deactivate"
    return Activation


blp.route("/discounts/<int:discount_id>/activate")(_activation(True))
blp.route("/discounts/<int:discount_id>/deactivate")(_activation(False))


@blp.route("/discounts/<int:discount_id>/move")
class MoveDiscount(MethodView):
    """Order of a discount."""

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(MoveSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any], discount_id: int) -> None:
        """Move a discount to a position in its group, or into another group."""
        service.move(current_db(), discount_id=discount_id, position=data["position"],
                     to_group=data["group_id"], now=current_clock().now())


@blp.route("/discount-groups")
class Groups(MethodView):
    """Groups."""

    @idempotent
    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(NewGroupSchema)
    @blp.response(201, GroupSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a group with its combination rule."""
        return service.create_group(current_db(), data, current_clock().now())


@blp.route("/discount-groups/<int:group_id>")
class GroupById(MethodView):
    """One group."""

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(GroupFields)
    @blp.response(200, GroupSchema)
    def patch(self, changes: dict[str, Any], group_id: int) -> Any:
        """Change a group (rule, name, stacking, parent)."""
        return service.update_group(current_db(), group_id, changes, current_clock().now())

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.response(204)
    def delete(self, group_id: int) -> None:
        """Delete an empty group."""
        service.delete_group(current_db(), group_id)


@blp.route("/discount-groups/<int:group_id>/move")
class MoveGroup(MethodView):
    """Order of a group."""

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(MoveSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any], group_id: int) -> None:
        """Move a group to a position in its parent, or under another parent."""
        service.move(current_db(), group_id=group_id, position=data["position"],
                     to_group=data["group_id"], now=current_clock().now())


@blp.route("/manual-discount-limits")
class Limits(MethodView):
    """Manual discount limits."""

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.response(200, LimitSchema(many=True))
    def get(self) -> Any:
        """List the limits per user group (and price group)."""
        return limits.list_limits(current_db())

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(LimitsSchema)
    @blp.response(200, LimitSchema(many=True))
    def put(self, data: dict[str, Any]) -> Any:
        """Replace the table of limits."""
        return limits.replace_limits(current_db(), data["limits"])


@blp.route("/discounts/simulate")
class Simulate(MethodView):
    """Simulation of a draft rule set."""

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(SimulateSchema)
    @blp.response(200, SimulationSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Price a basket or a stored receipt under a draft rule set, without activating it."""
        basket = None if data["basket"] is None else Basket.of(data["basket"])
        draft = simulation.Draft(tuple(data["draft"]["discounts"]),
                                 frozenset(data["draft"]["deactivate"]))
        return simulation.simulate(use_case(), draft, basket=basket,
                                   receipt_id=data["receipt_id"])
