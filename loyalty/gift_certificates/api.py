"""HTTP endpoints of gift certificates: types, batches, look-up by code, liability."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from loyalty.gift_certificates import lookup, report, service
from loyalty.gift_certificates.schemas import (
    AdjustSchema,
    BatchSchema,
    CertificateStatusSchema,
    LiabilityQuerySchema,
    LiabilityRowSchema,
    LookUpSchema,
    NewBatchSchema,
    NewTypeSchema,
    PrintedSchema,
    TypeSchema,
)
from loyalty.gift_certificates.wiring import code_book
from pos.core.request import current_settings
from pos.core.scope import visible_stores
from pos.core.security import Right
from pos.core.web import ApiBlueprint, authenticate, current_db, idempotent, use_case

blp = ApiBlueprint("gift_certificates", __name__, url_prefix="/api/v1",
                   description="Gift certificates: types, batches, look-up, liability")


@blp.route("/gift-certificate-types")
class Types(MethodView):
    """Certificate types."""

    @blp.requires(Right.SELL)
    @blp.response(200, TypeSchema(many=True))
    def get(self) -> Any:
        """List the certificate types."""
        return service.list_types(current_db())

    @idempotent
    @blp.requires(Right.MANAGE_CATALOG)
    @blp.arguments(NewTypeSchema)
    @blp.response(201, TypeSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a certificate type."""
        return service.create_type(use_case(), service.NewType(**data))


@blp.route("/gift-certificate-batches")
class Batches(MethodView):
    """Batches of printed certificates."""

    @idempotent
    @blp.requires(Right.MANAGE_CATALOG)
    @blp.arguments(NewBatchSchema)
    @blp.response(201, BatchSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Issue a batch of printed certificates, inactive until each is sold."""
        return service.issue_batch(use_case(), code_book(current_settings()), data["type_id"],
                                   data["count"], data.get("face_value_minor"))


@blp.route("/gift-certificate-batches/<int:batch_id>/codes")
class BatchCodes(MethodView):
    """A batch's codes, for the printer."""

    @blp.requires(Right.MANAGE_CATALOG)
    @blp.response(200, PrintedSchema(many=True))
    def get(self, batch_id: int) -> Any:
        """Return a batch's serials and codes (derived with the secret, never stored)."""
        return service.batch_codes(current_db(), code_book(current_settings()), batch_id)


@blp.route("/gift-certificates/sold/<int:receipt_id>")
class Sold(MethodView):
    """Electronic certificates a sale created."""

    @blp.requires(Right.SELL)
    @blp.response(200, PrintedSchema(many=True))
    def get(self, receipt_id: int) -> Any:
        """Return the codes of the certificates a sale created, to print for the buyer."""
        return service.sold_on(current_db(), code_book(current_settings()), receipt_id,
                               authenticate())


@blp.route("/gift-certificates/liability")
class Liability(MethodView):
    """Outstanding liability."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.arguments(LiabilityQuerySchema, location="query")
    @blp.response(200, LiabilityRowSchema(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Return sold, redeemed, expired and outstanding amounts by type and store."""
        stores = visible_stores(authenticate())
        if "store_id" in query:
            stores = frozenset({query["store_id"]}) & stores if stores is not None \
                else frozenset({query["store_id"]})
        return report.liability(current_db(), stores)


@blp.route("/gift-certificates/look-up")
class LookUp(MethodView):
    """One certificate, by its code sent in the body: what tills use."""

    @blp.requires(Right.SELL)
    @blp.arguments(LookUpSchema)
    @blp.response(200, CertificateStatusSchema)
    @blp.alt_response(422, schema="Problem", description="not a code: wrong check letter")
    @blp.alt_response(429, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Return the status, balance and expiry; the code stays out of URLs and access logs.

        Reads only: sending it again is harmless, so it takes no ``Idempotency-Key``.
        """
        return _look_up(data["code"])


def _look_up(code: str) -> Any:
    ctx = use_case()
    return lookup.look_up(ctx, code_book(current_settings()), code,
                          with_history=ctx.actor.principal.can(Right.VIEW_REPORTS))


@blp.route("/gift-certificates/<string:code>")
class Certificate(MethodView):
    """One certificate, by its code in the URL (kept; tills use ``POST .../look-up``)."""

    @blp.requires(Right.SELL)
    @blp.response(200, CertificateStatusSchema)
    @blp.alt_response(422, schema="Problem", description="not a code: wrong check letter")
    @blp.alt_response(429, schema="Problem")
    def get(self, code: str) -> Any:
        """Return the status, balance and expiry (managers also see the history).

        The code is in the URL, which proxies' access logs keep: tills use the POST look-up.
        """
        return _look_up(code)


@blp.route("/gift-certificates/adjustments")
class Adjust(MethodView):
    """A manager's correction of a balance, the code in the body (never in a URL)."""

    @idempotent
    @blp.requires(Right.APPROVE)
    @blp.arguments(AdjustSchema)
    @blp.response(200, CertificateStatusSchema)
    @blp.alt_response(409, schema="Problem")
    @blp.alt_response(429, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Add to or take from a balance (audited, an ``adjust`` entry on the ledger)."""
        return lookup.adjust_balance(use_case(), code_book(current_settings()), data["code"],
                                     data["amount_minor"], data["reason"])
