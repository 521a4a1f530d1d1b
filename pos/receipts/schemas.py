"""Schemas of receipts, lines, payments, quotes and returns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import has_app_context
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    types,
    validate,
    validates_schema,
)

from loyalty.gift_certificates.schemas import CertificateLineInSchema
from pos.core.fastdump import FastDumpSchema
from pos.core.pan import reject_pans
from pos.core.request import current_registry
from pos.core.schemas import (
    MAX_ID,
    Id,
    Int,
    Money,
    PageArgs,
    Percent,
    Quantity,
    StrictSchema,
    page_of,
)
from pos.discounts.schemas import NewDiscountSchema
from pos.receipts.model import CLOSED, OPEN, RETURN, SALE, VOIDED
from pos.receipts.quote_wire import plain_basket, quote_answer
from pos.receipts.upload_wire import plain_receipt


class LineSchema(Schema):
    """A receipt line."""

    line_no = Int(1)
    item_id = Id()
    sku = fields.String()
    name = fields.String()
    code = fields.String(allow_none=True)
    quantity = Quantity()
    unit_price = Money(attribute="unit_price_minor")
    base_amount = Money(attribute="base_amount_minor")
    discount = Money(attribute="discount_minor", allow_negative=True)
    amount = Money(attribute="amount_minor")
    vat_rate = fields.String()
    weight_source = fields.String(allow_none=True)
    is_manual_weight = fields.Boolean()
    is_gift = fields.Boolean(metadata={"description": "added by the receipt: a gift rule's item"})
    discounts = fields.List(fields.Dict())
    original_line_id = Id(allow_none=True)
    certificate_type_id = Id(allow_none=True, metadata={
        "description": "a line selling a gift certificate of this type: not revenue"})
    certificate_id = Id(allow_none=True)


class PaymentSchema(Schema):
    """A payment or refund."""

    seq = Int(1)
    type = fields.String(attribute="kind")
    amount = Money(attribute="amount_minor")
    card_brand = fields.String(allow_none=True)
    card_last4 = fields.String(allow_none=True)
    terminal_ref = fields.String(allow_none=True)
    details = fields.Dict(metadata={
        "description": "what the payment type shows of itself (a gift certificate's last "
                       "letters); what a tender keeps for its own use is not shown"})


class ReceiptHeadSchema(FastDumpSchema):
    """A receipt or a return without its lines, payments, manual discounts and trace."""

    id = Id()
    kind = fields.String()
    state = fields.String()
    number = Int(1, MAX_ID, allow_none=True)
    store_id = Id()
    till_id = Id()
    shift_id = Id()
    client_uuid = fields.String()
    cashier_id = Id()
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    total = Money(attribute="total_minor")
    discount = Money(attribute="discount_minor", allow_negative=True)
    paid = Money(attribute="paid_minor")
    due = Money(attribute="due_minor")
    tendered = Money(attribute="cash_tendered_minor",
                     metadata={"description": "the cash handed over (on a return: refunded)"})
    change = Money(attribute="current_change_minor",
                   metadata={"description": "cash to give back; shown as soon as cash "
                                            "exceeds what is due"})
    original_receipt_id = Id(allow_none=True)
    card_code = fields.String(allow_none=True)
    customer_ref = fields.String(allow_none=True)
    fiscal_document_number = Int(1, MAX_ID, allow_none=True, metadata={
        "description": "the registrar's fiscal document number, once signed"})
    fiscal_sign = Int(0, MAX_ID, allow_none=True)
    fiscal_shift_number = Int(0, MAX_ID, allow_none=True)
    print_notes = fields.List(fields.Dict(), metadata={
        "description": "lines features ask the till to print once, e.g. a card holder's "
                       "one-time sign-in code ({kind, text}); only in the closing answer"})


class ReceiptSchema(ReceiptHeadSchema):
    """A receipt or a return with its lines, payments and pricing trace."""

    lines = fields.List(fields.Nested(LineSchema))
    payments = fields.List(fields.Nested(PaymentSchema))
    manual_discounts = fields.List(fields.Nested(lambda: ManualDiscountSchema()))
    pricing_trace = fields.List(fields.Dict())

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """Dump as the schema says, without the payment details a tender keeps to itself.

        (``PaymentType.hidden_details``: a gift certificate payment's look-up digest.)
        """
        out = super().dump(obj, many=many)
        hidden = current_registry().payment_types.hidden_details if has_app_context() \
            else frozenset()
        if hidden:
            for receipt in out if (self.many if many is None else many) else (out,):
                for payment in receipt.get("payments", ()):
                    details = payment.get("details")
                    if details and not hidden.isdisjoint(details):
                        payment["details"] = {key: value for key, value in details.items()
                                              if key not in hidden}
        return out


class LineAddedSchema(FastDumpSchema):
    """The compact answer to an added line: that line, what else changed, the new totals."""

    receipt_id = Id()
    line = fields.Nested(LineSchema)
    changed_lines = fields.List(fields.Nested(LineSchema), metadata={
        "description": "other lines the pricing added (a gift) or priced anew"})
    removed_line_nos = fields.List(Int(1), metadata={
        "description": "lines the pricing took away (a gift no longer due)"})
    total = Money(attribute="total_minor")
    discount = Money(attribute="discount_minor", allow_negative=True)
    paid = Money(attribute="paid_minor")
    due = Money(attribute="due_minor")


class ViewArgsSchema(StrictSchema):
    """How much of the receipt an answer carries."""

    view = fields.String(load_default="compact", validate=validate.OneOf(["compact", "full"]),
                         metadata={"description": "compact (default): the line added, the "
                                   "other lines it changed and the totals; full: the receipt"})


class NewReceiptViewArgsSchema(StrictSchema):
    """How much of a new receipt its upload's answer carries."""

    view = fields.String(load_default="compact", validate=validate.OneOf(["compact", "full"]),
                         metadata={"description": "compact (default): the receipt's head and "
                                   "totals, without lines, payments and pricing trace (GET "
                                   "answers those); full: the whole receipt"})


class QuoteViewArgsSchema(StrictSchema):
    """How much of the pricing a quote's answer explains."""

    view = fields.String(load_default="compact", validate=validate.OneOf(["compact", "full"]),
                         metadata={"description": "compact (default): the priced lines, the "
                                   "totals, hints and gifts; full: also the pricing trace"})


class ReceiptQuerySchema(PageArgs):
    """Filters of the receipt list; ``from``/``to`` match a receipt opened or closed in them."""

    till = Id()
    shift = Id()
    state = fields.String(validate=validate.OneOf([OPEN, CLOSED, VOIDED]))
    kind = fields.String(validate=validate.OneOf([SALE, RETURN]))
    number = Id()
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()


class ReceiptListItemSchema(Schema):
    """A receipt as the list shows it; ``GET /receipts/{id}`` gives the whole of it."""

    id = Id()
    number = Id(allow_none=True)
    till_id = Id()
    shift_id = Id()
    state = fields.String()
    kind = fields.String()
    total = Money(attribute="total_minor")
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    cashier_id = Id()


ReceiptPageSchema = page_of(ReceiptListItemSchema, "ReceiptPage")


class LineInSchema(StrictSchema):
    """A line to add: an SKU or any barcode; a quantity (kg with 3 decimals when weighed)."""

    sku = fields.String(validate=validate.Length(min=1, max=64))
    code = fields.String(validate=validate.Length(min=1, max=64))
    quantity = Quantity(metadata={"example": "0.455"})
    weight_source = fields.String(metadata={
        "description": "scale or manual; a weight sent without it is manual (needs the right)"})
    certificate = fields.Nested(CertificateLineInSchema, metadata={
        "description": "a gift certificate sold (instead of sku or code): not revenue"})

    @validates_schema
    def _one_item(self, data: dict[str, Any], **_: Any) -> None:
        if ("sku" in data) + ("code" in data) + ("certificate" in data) != 1:
            raise ValidationError("Send exactly one of sku, code and certificate", "sku")


class PaymentInSchema(StrictSchema):
    """A payment: cash (tendered), or card with brand, last four digits and terminal ref."""

    type = fields.String(required=True, metadata={"example": "cash"})
    amount = Money(required=True)
    card_brand = fields.String(validate=validate.Length(max=32))
    card_last4 = fields.String()
    terminal_ref = fields.String(validate=validate.Length(max=64))
    details = fields.Dict(load_default=dict)

    @pre_load
    def _no_card_numbers(self, data: Any, **_: Any) -> Any:
        # Checked before anything else, so a PAN in any field - even an unknown one - is
        # refused with its own code and never echoed back in a validation message.
        if isinstance(data, dict):
            reject_pans({k: v for k, v in data.items() if k != "amount"})
        return data


class DirectLoadSchema(StrictSchema):
    """A schema whose plainly valid input loads by ``direct`` (None: marshmallow judges it).

    ``direct`` must return what the schema's own load would, or None; the wire modules'
    tests hold both paths equal.
    """

    direct: Callable[[Any], dict[str, Any] | None]

    def load(self, data: Any, *, many: bool | None = None, partial: Any = None,
             unknown: types.UnknownOption | None = None) -> Any:
        """Load one plain input by the direct path, anything else as marshmallow does."""
        if not (many or self.many) and partial is None and unknown in (None, RAISE):
            loaded = self.direct(data)
            if loaded is not None:
                return loaded
        return super().load(data, many=many, partial=partial, unknown=unknown)


class NewReceiptSchema(DirectLoadSchema):
    """A receipt to open; with lines and covering payments it is closed at once."""

    till_id = Id(required=True)
    client_uuid = fields.String(metadata={"description": "client-generated UUID"})
    lines = fields.List(fields.Nested(LineInSchema), load_default=list,
                        validate=validate.Length(max=500))
    payments = fields.List(fields.Nested(PaymentInSchema), load_default=list,
                           validate=validate.Length(max=20))
    card_code = fields.String(validate=validate.Length(max=64))
    customer_ref = fields.String(validate=validate.Length(max=64))
    sold_at = fields.AwareDateTime(metadata={
        "description": "an offline till's time of sale (with payments only); prices and "
                       "discounts are those of that time. Default: now"})

    direct = staticmethod(plain_receipt)


class QuoteSchema(DirectLoadSchema):
    """A basket to price without saving."""

    till_id = Id(required=True)
    lines = fields.List(fields.Nested(LineInSchema), required=True,
                        validate=validate.Length(min=1, max=500))
    card_code = fields.String(validate=validate.Length(max=64))
    customer_ref = fields.String(validate=validate.Length(max=64))
    payment_forms = fields.List(fields.String(), load_default=list)

    direct = staticmethod(plain_basket)


class QuoteResultSchema(FastDumpSchema):
    """A priced basket."""

    lines = fields.List(fields.Nested(LineSchema))
    total = Money(attribute="total_minor")
    discount = Money(attribute="discount_minor", allow_negative=True)
    hints = fields.List(fields.Dict())
    gift_lines = fields.List(fields.Dict())
    pricing_trace = fields.List(fields.Dict(), metadata={
        "description": "with ?view=full only: each line's discounts applied and displaced, "
                       "line by line"})

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """Dump a quote's result as the fields above would, by the direct path of ``quote_wire``."""
        if many or self.many:
            return super().dump(obj, many=many)
        return quote_answer(obj)


class LineChangeSchema(StrictSchema):
    """A new quantity for a line."""

    quantity = Quantity(required=True)
    weight_source = fields.String()


class ReturnLineInSchema(StrictSchema):
    """A line to return: ``line_no`` of the original, or ``sku``/``code`` without receipt."""

    line_no = Int(1)
    sku = fields.String()
    code = fields.String()
    quantity = Quantity(required=True)


class NewReturnSchema(StrictSchema):
    """A return, closed in one request."""

    till_id = Id(required=True)
    original_receipt_id = Id(allow_none=True, load_default=None)
    client_uuid = fields.String()
    lines = fields.List(fields.Nested(ReturnLineInSchema), required=True,
                        validate=validate.Length(min=1, max=500))


class ManualDiscountInSchema(StrictSchema):
    """A manual discount: ``percent`` or ``amount``, on ``line_no`` or the whole receipt."""

    percent = Percent(minimum=0, maximum=100, min_inclusive=False)
    amount_minor = Money(data_key="amount")
    line_no = Int(1, load_default=None)
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class ManualDiscountSchema(Schema):
    """A manual discount given on a receipt."""

    id = Int(1)
    line_no = Int(1, allow_none=True)
    percent = fields.String(allow_none=True)
    amount = Money(attribute="amount_minor", allow_none=True)
    reason = fields.String()
    given_by = Id()
    approved_by = Id(allow_none=True)


class AppliedSchema(Schema):
    """A discount that fired on a line (or was displaced from it)."""

    discount_id = fields.String()
    name = fields.String()
    kind = fields.String()
    group_id = fields.String()
    group_name = fields.String()
    rule = fields.String(metadata={"description": "the group's combination rule"})
    amount = Money(attribute="amount_minor", allow_negative=True)
    displaced_by = fields.String(allow_none=True)


class LineDiscountsSchema(Schema):
    """What happened to one line's price."""

    line_no = Int(1)
    sku = fields.String()
    name = fields.String()
    base_amount = Money(attribute="base_amount_minor")
    discount = Money(attribute="discount_minor", allow_negative=True)
    amount = Money(attribute="amount_minor")
    applied = fields.List(fields.Nested(AppliedSchema))
    displaced = fields.List(fields.Nested(AppliedSchema))


class DiscountReportSchema(Schema):
    """The applied-discounts report of a receipt: every kopeck explained."""

    receipt_id = Id()
    state = fields.String()
    total = Money(attribute="total_minor")
    discount = Money(attribute="discount_minor", allow_negative=True)
    lines = fields.List(fields.Nested(LineDiscountsSchema))
    summary = fields.List(fields.Nested(AppliedSchema))
    manual_discounts = fields.List(fields.Nested(ManualDiscountSchema))


class DraftDiscountSchema(NewDiscountSchema):
    """A discount of a draft; with ``id`` it replaces that stored discount."""

    id = Id(load_default=None)


class DraftSchema(StrictSchema):
    """Changes to try without activating them."""

    discounts = fields.List(fields.Nested(DraftDiscountSchema), load_default=list)
    deactivate = fields.List(Id(), load_default=list)


class SimulateSchema(StrictSchema):
    """A basket (or a stored receipt) to price under the active rules and under a draft."""

    basket = fields.Nested(QuoteSchema, load_default=None)
    receipt_id = Id(load_default=None)
    draft = fields.Nested(DraftSchema, required=True)


class SimulatedLineSchema(Schema):
    """One line priced by a rule set."""

    line_no = Int(1)
    sku = fields.String()
    base_amount = Money(attribute="base_amount_minor")
    discount = Money(attribute="discount_minor", allow_negative=True)
    amount = Money(attribute="amount_minor")
    applied = fields.List(fields.Nested(AppliedSchema))
    displaced = fields.List(fields.Nested(AppliedSchema))


class PricedSchema(Schema):
    """The lines and totals under one rule set."""

    total = Money(attribute="total_minor")
    discount = Money(attribute="discount_minor", allow_negative=True)
    lines = fields.List(fields.Nested(SimulatedLineSchema))
    hints = fields.List(fields.Dict(), metadata={
        "description": "What the basket lacks for a discount under these rules, as the "
                       "quote's hints say it"})


class SimulationSchema(Schema):
    """The same lines under the active rules and under the draft."""

    current = fields.Nested(PricedSchema)
    draft = fields.Nested(PricedSchema)
    difference = Money(attribute="difference_minor", allow_negative=True)
