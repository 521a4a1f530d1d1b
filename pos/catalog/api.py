"""HTTP endpoints of the catalog: items, barcodes, segments, price groups, prices, lookup."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from pos.catalog import prices, service
from pos.catalog.model import PriceGroup, Segment
from pos.catalog.rules import BarcodeInput, ItemInput
from pos.catalog.schemas import (
    ItemFields,
    ItemQuerySchema,
    ItemSchema,
    LookupQuerySchema,
    LookupSchema,
    NamedSchema,
    NewItemSchema,
    NewNamedSchema,
    NewPriceSchema,
    NewPriceTypeSchema,
    PriceSchema,
    PriceTypeSchema,
)
from pos.core.schemas import page_of
from pos.core.security import Right
from pos.core.web import (
    ApiBlueprint,
    authenticate,
    barcode_layouts,
    current_clock,
    current_db,
    idempotent,
)

blp = ApiBlueprint("catalog", __name__, url_prefix="/api/v1",
                   description="Items, barcodes, segments, price groups, prices and lookup")


def _item_input(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "barcodes" in out:
        out["barcodes"] = tuple(BarcodeInput(**b) for b in out["barcodes"])
    if "segments" in out:
        out["segments"] = tuple(out["segments"])
    return out


@blp.route("/items")
class Items(MethodView):
    """Items."""

    @blp.requires(Right.VIEW_CATALOG)
    @blp.arguments(ItemQuerySchema, location="query")
    @blp.response(200, page_of(ItemSchema, "ItemPage"))
    def get(self, query: dict[str, Any]) -> Any:
        """List items, filtered and paginated."""
        return service.list_items(current_db(), **query)

    @idempotent
    @blp.requires(Right.MANAGE_CATALOG)
    @blp.arguments(NewItemSchema)
    @blp.response(201, ItemSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Create an item with its barcodes."""
        cmd = ItemInput(**_item_input(data))
        return service.create_item(current_db(), cmd, barcode_layouts(), current_clock().now())


@blp.route("/items/<int:item_id>")
class ItemById(MethodView):
    """One item."""

    @blp.requires(Right.VIEW_CATALOG)
    @blp.response(200, ItemSchema)
    def get(self, item_id: int) -> Any:
        """Return an item."""
        return service.find_item(current_db(), item_id)

    @blp.requires(Right.MANAGE_CATALOG)
    @blp.arguments(ItemFields)
    @blp.response(200, ItemSchema)
    @blp.alt_response(409, schema="Problem")
    def patch(self, changes: dict[str, Any], item_id: int) -> Any:
        """Change an item; lists (barcodes, segments) are replaced whole."""
        return service.update_item(current_db(), item_id, _item_input(changes),
                                   barcode_layouts(), current_clock().now())

    @blp.requires(Right.MANAGE_CATALOG)
    @blp.response(200, ItemSchema)
    def delete(self, item_id: int) -> Any:
        """Deactivate an item (sold items are never deleted)."""
        return service.update_item(current_db(), item_id, {"is_active": False},
                                   barcode_layouts(), current_clock().now())


@blp.route("/items/<int:item_id>/prices")
class ItemPrices(MethodView):
    """Prices of an item."""

    @idempotent
    @blp.requires(Right.MANAGE_CATALOG)
    @blp.arguments(NewPriceSchema)
    @blp.response(201, PriceSchema)
    def post(self, data: dict[str, Any], item_id: int) -> Any:
        """Set the item's price at a store from a date (rounded to the price type's step)."""
        return prices.set_price(current_db(), item_id=item_id, **data, viewer=authenticate())


@blp.route("/catalog/lookup")
class CatalogLookup(MethodView):
    """Barcode lookup."""

    @blp.requires(Right.VIEW_CATALOG)
    @blp.arguments(LookupQuerySchema, location="query")
    @blp.response(200, LookupSchema)
    @blp.alt_response(404, schema="Problem")
    def get(self, query: dict[str, Any]) -> Any:
        """Resolve any barcode (weight and price barcodes too) to item, quantity and price."""
        return prices.lookup(current_db(), query["store_id"], query["code"],
                             barcode_layouts(), current_clock().now(), authenticate())


def _named_routes(path: str, model: type[PriceGroup] | type[Segment], label: str) -> None:
    class Named(MethodView):
        @blp.requires(Right.VIEW_CATALOG)
        @blp.response(200, NamedSchema(many=True))
        def get(self) -> Any:
            return service.list_named(current_db(), model)

        @blp.requires(Right.MANAGE_CATALOG)
        @blp.arguments(NewNamedSchema)
        @blp.response(201, NamedSchema)
        @blp.alt_response(409, schema="Problem")
        def post(self, data: dict[str, Any]) -> Any:
            return service.create_named(current_db(), model, data["code"], data["name"])

    Named.get.__doc__ = f"List {label}s."
    Named.post.__doc__ = f"Create a {label}."
    Named.__name__ = f"{model.__name__}s"
    blp.route(path)(Named)


_named_routes("/price-groups", PriceGroup, "price group")
_named_routes("/segments", Segment, "segment")


@blp.route("/price-types")
class PriceTypes(MethodView):
    """Price types."""

    @blp.requires(Right.VIEW_CATALOG)
    @blp.response(200, PriceTypeSchema(many=True))
    def get(self) -> Any:
        """List price types."""
        from pos.catalog.model import PriceType

        return service.list_named(current_db(), PriceType)  # type: ignore[arg-type]

    @blp.requires(Right.MANAGE_CATALOG)
    @blp.arguments(NewPriceTypeSchema)
    @blp.response(201, PriceTypeSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a price type with its rounding step (0.01, 0.10 or 1.00)."""
        return prices.create_price_type(current_db(), **data)
