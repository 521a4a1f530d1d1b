"""HTTP endpoints of the wholesale customer at the till: attach by code or card, take off."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import ValidationError, fields, validate, validates_schema

from pos.core.schemas import StrictSchema
from pos.core.security import Right
from pos.core.web import ApiBlueprint, till_header, use_case
from pos.receipts import customer
from pos.receipts.schemas import ReceiptSchema

blp = ApiBlueprint("receipt_customer", __name__, url_prefix="/api/v1",
                   description="The wholesale customer of a receipt")


class CustomerInSchema(StrictSchema):
    """The customer a till names: its code as typed, or its card as scanned (one of them)."""

    code = fields.String(validate=validate.Length(min=1, max=64))
    card_code = fields.String(validate=validate.Length(min=1, max=64))

    @validates_schema
    def one_of(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Require exactly one of ``code`` and ``card_code``."""
        if ("code" in data) == ("card_code" in data):
            raise ValidationError("Send either code or card_code", "code")


@blp.route("/receipts/<int:receipt_id>/customer")
class ReceiptCustomer(MethodView):
    """The wholesale customer of an open receipt."""

    @blp.requires(Right.SELL)
    @blp.till_scoped
    @blp.arguments(CustomerInSchema)
    @blp.response(200, ReceiptSchema)
    @blp.alt_response(409, schema="Problem")
    def put(self, data: dict[str, Any], receipt_id: int) -> Any:
        """Attach a customer (unknown or blocked: refused, nothing written)."""
        return customer.attach_customer(use_case(till_header()), receipt_id,
                                        code=data.get("code"), card_code=data.get("card_code"))

    @blp.requires(Right.SELL)
    @blp.till_scoped
    @blp.response(200, ReceiptSchema)
    def delete(self, receipt_id: int) -> Any:
        """Take the customer off the receipt."""
        return customer.detach_customer(use_case(till_header()), receipt_id)
