"""HTTP endpoints of stores and tills."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from pos.core.security import Right
from pos.core.web import ApiBlueprint, authenticate, current_clock, current_db, idempotent
from pos.stores import service
from pos.stores.schemas import (
    NewStoreSchema,
    NewTillSchema,
    StoreSchema,
    StoreUpdateSchema,
    TillSchema,
    TillUpdateSchema,
)

blp = ApiBlueprint("stores", __name__, url_prefix="/api/v1", description="Stores and tills")


@blp.route("/stores")
class Stores(MethodView):
    """Stores."""

    @blp.requires(Right.VIEW_CATALOG)
    @blp.response(200, StoreSchema(many=True))
    def get(self) -> Any:
        """List stores with their tills."""
        return service.list_stores(current_db(), authenticate())

    @idempotent
    @blp.requires(Right.MANAGE_STORES)
    @blp.arguments(NewStoreSchema)
    @blp.response(201, StoreSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a store."""
        store = service.create_store(current_db(), service.StoreInput(**data),
                                     current_clock().now())
        return {**_columns(store), "tills": []}


@blp.route("/stores/<int:store_id>")
class StoreById(MethodView):
    """One store."""

    @blp.requires(Right.MANAGE_STORES)
    @blp.arguments(StoreUpdateSchema)
    @blp.response(200, StoreSchema)
    def patch(self, changes: dict[str, Any], store_id: int) -> Any:
        """Change a store."""
        store = service.update_store(current_db(), store_id, changes, authenticate())
        return {**_columns(store), "tills": []}


@blp.route("/stores/<int:store_id>/tills")
class Tills(MethodView):
    """Tills of a store."""

    @idempotent
    @blp.requires(Right.MANAGE_STORES)
    @blp.arguments(NewTillSchema)
    @blp.response(201, TillSchema)
    def post(self, data: dict[str, Any], store_id: int) -> Any:
        """Add a till."""
        return service.create_till(current_db(), store_id, **data, viewer=authenticate())


@blp.route("/tills/<int:till_id>")
class TillById(MethodView):
    """One till."""

    @blp.requires(Right.MANAGE_STORES)
    @blp.arguments(TillUpdateSchema)
    @blp.response(200, TillSchema)
    def patch(self, changes: dict[str, Any], till_id: int) -> Any:
        """Change a till."""
        return service.update_till(current_db(), till_id, changes, authenticate())


def _columns(store: Any) -> dict[str, Any]:
    return {c: getattr(store, c) for c in ("id", "code", "name", "address", "timezone",
                                           "max_cash_difference_minor", "blind_close",
                                           "blind_recounts", "is_active")}
