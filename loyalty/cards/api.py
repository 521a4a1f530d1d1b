"""HTTP endpoints of card management: card types, issuing, the lifecycle, points by hand."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from loyalty.cards import replace, service
from loyalty.cards.schemas import (
    BlockSchema,
    CardSchema,
    CardTypeSchema,
    IssuedSchema,
    IssueSchema,
    NewCardTypeSchema,
    ReplaceSchema,
)
from loyalty.points import service as points
from loyalty.points.schemas import (
    AdjustmentSchema,
    EntryPageSchema,
    EntryQuerySchema,
    LiabilityReportSchema,
)
from pos.core.security import Right
from pos.core.web import ApiBlueprint, current_clock, current_db, idempotent, use_case

blp = ApiBlueprint("loyalty_cards", __name__, url_prefix="/api/v1/loyalty",
                   description="Loyalty cards, card types and points (managers)")


@blp.route("/card-types")
class CardTypes(MethodView):
    """Card types."""

    @blp.requires(Right.MANAGE_LOYALTY)
    @blp.response(200, CardTypeSchema(many=True))
    def get(self) -> Any:
        """List card types."""
        return service.list_card_types(current_db())

    @idempotent
    @blp.requires(Right.MANAGE_LOYALTY)
    @blp.arguments(NewCardTypeSchema)
    @blp.response(201, CardTypeSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a card type: discounts and/or points, personal or anonymous, its rules."""
        return service.create_card_type(use_case(), data)


@blp.route("/cards")
class Cards(MethodView):
    """Cards."""

    @idempotent
    @blp.requires(Right.MANAGE_LOYALTY)
    @blp.arguments(IssueSchema)
    @blp.response(201, IssuedSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Issue one card (registered to a holder if given) or a numbered batch."""
        holder = service.NewHolder(**data["holder"]) if data.get("holder") else None
        cards = service.issue_cards(use_case(), data["type"], data["count"], holder,
                                    data["activate"])
        return {"cards": service.views_of(current_db(), [c.number for c in cards])}


@blp.route("/cards/<string:number>")
class CardByNumber(MethodView):
    """One card."""

    @blp.requires(Right.MANAGE_LOYALTY)
    @blp.response(200, CardSchema)
    def get(self, number: str) -> Any:
        """Return a card, its state and its points (due lots activated and expired first)."""
        points.settled_card(current_db(), number, current_clock().now())
        return service.views_of(current_db(), [number])[0]


def _action(name: str, schema: Any = None) -> type[MethodView]:
    if schema is None:
        class Action(MethodView):
            @blp.requires(Right.MANAGE_LOYALTY)
            @blp.response(200, CardSchema)
            def post(self, number: str) -> Any:
                service.change_state(use_case(), number, name)
                return service.views_of(current_db(), [number])[0]
    else:
        class Action(MethodView):  # type: ignore[no-redef]
            @blp.requires(Right.MANAGE_LOYALTY)
            @blp.arguments(schema)
            @blp.response(200, CardSchema)
            def post(self, data: dict[str, Any], number: str) -> Any:
                service.change_state(use_case(), number, name, data.get("reason"))
                return service.views_of(current_db(), [number])[0]

    Action.post.__doc__ = f"{name.capitalize()} a card."
    Action.__doc__ = f"{name.capitalize()} a card."
    return Action


for _name, _schema in (("activate", None), ("block", BlockSchema), ("unblock", None),
                       ("expire", None)):
    blp.route(f"/cards/<string:number>/{_name}", endpoint=f"card_{_name}")(
        _action(_name, _schema))


@blp.route("/cards/<string:number>/replace")
class Replace(MethodView):
    """Replacing a lost card."""

    @idempotent
    @blp.requires(Right.MANAGE_LOYALTY)
    @blp.arguments(ReplaceSchema)
    @blp.response(200, CardSchema)
    def post(self, data: dict[str, Any], number: str) -> Any:
        """Move balance, lots, history and tier to a new card; block this one."""
        new = replace.replace_card(use_case(), number, data.get("new_number"))
        return service.views_of(current_db(), [new.number])[0]


@blp.route("/cards/<string:number>/entries")
class Entries(MethodView):
    """A card's points ledger."""

    @blp.requires(Right.MANAGE_LOYALTY)
    @blp.arguments(EntryQuerySchema, location="query")
    @blp.response(200, EntryPageSchema)
    def get(self, query: dict[str, Any], number: str) -> Any:
        """List a card's ledger entries (and those of the cards it replaced), newest first."""
        ids = service.history_ids(current_db(), number)
        return points.entries(current_db(), ids, query["page"], query["page_size"])


@blp.route("/cards/<string:number>/adjustments")
class Adjustments(MethodView):
    """Points changed by hand."""

    @idempotent
    @blp.requires(Right.MANAGE_LOYALTY)
    @blp.arguments(AdjustmentSchema)
    @blp.response(201, CardSchema)
    def post(self, data: dict[str, Any], number: str) -> Any:
        """Add or take off points, with a reason (audited); never below zero."""
        points.adjust(use_case(), number, data["points"], data["reason"])
        return service.views_of(current_db(), [number])[0]


@blp.route("/reports/liability")
class Liability(MethodView):
    """The points liability."""

    @blp.requires(Right.MANAGE_LOYALTY)
    @blp.response(200, LiabilityReportSchema)
    def get(self) -> Any:
        """Return the outstanding points (spendable and pending) and their value by card type."""
        return {"card_types": points.liability_report(current_db())}
