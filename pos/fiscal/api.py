"""HTTP endpoint of the fiscal outbox: what waits for the device, what failed."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from pos.core.schemas import MAX_ID, Id, Int, Money, PageArgs, StrictSchema, page_of
from pos.core.security import Right
from pos.core.web import ApiBlueprint, authenticate, current_db, use_case
from pos.fiscal import service
from pos.fiscal.correction import OPERATIONS, NewCorrection, record_correction
from pos.fiscal.model import OUTBOX_STATES

blp = ApiBlueprint("fiscal", __name__, url_prefix="/api/v1",
                   description="Fiscal outbox of closed documents")


class OutboxQuerySchema(PageArgs):
    """Filters of the outbox list."""

    till_id = Id()
    state = fields.String(validate=validate.OneOf(OUTBOX_STATES))


class OutboxEntrySchema(Schema):
    """A document waiting for, or signed by, the fiscal device."""

    id = Id()
    till_id = Id()
    number = Int(1, MAX_ID, allow_none=True)
    kind = fields.String()
    document_id = Id()
    state = fields.String()
    attempts = Int(0)
    last_error = fields.String(allow_none=True)
    device_number = Int(0, MAX_ID, allow_none=True)
    fiscal_sign = Int(0, MAX_ID, allow_none=True)
    created_at = fields.DateTime()
    processed_at = fields.DateTime(allow_none=True)


OutboxPageSchema = page_of(OutboxEntrySchema, "OutboxPage")


@blp.route("/fiscal/outbox")
class Outbox(MethodView):
    """The outbox."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.arguments(OutboxQuerySchema, location="query")
    @blp.response(200, OutboxPageSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """List outbox rows, newest first."""
        return service.list_outbox(current_db(), till_id=query.get("till_id"),
                                   state=query.get("state"), page=query["page"],
                                   page_size=query["page_size"], viewer=authenticate())


class QueueEntrySchema(OutboxEntrySchema):
    """A document the registrar has not signed yet, and why."""

    expected_device_number = Int(0, MAX_ID, allow_none=True, metadata={
        "description": "the number the device should give it, stored before sending"})
    next_attempt_at = fields.DateTime(allow_none=True)


QueuePageSchema = page_of(QueueEntrySchema, "FiscalQueuePage")


@blp.route("/fiscal/queue")
class Queue(MethodView):
    """What waits for the registrars."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.arguments(OutboxQuerySchema, location="query")
    @blp.response(200, QueuePageSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """List unsigned documents in the order the worker sends them, with their errors."""
        return service.list_queue(current_db(), till_id=query.get("till_id"),
                                  page=query["page"], page_size=query["page_size"],
                                  viewer=authenticate())


class DeviceShiftSchema(Schema):
    """The shift as the registrar saw it, its Z figures beside ours, and their mismatches."""

    shift_id = Id()
    till_id = Id()
    device_shift_number = Int(0, MAX_ID, allow_none=True)
    was_found_open = fields.Boolean(metadata={
        "description": "the shift was already open on the registrar, not opened by us"})
    open_document_number = Int(0, MAX_ID, allow_none=True)
    close_document_number = Int(0, MAX_ID, allow_none=True)
    close_fiscal_sign = Int(0, MAX_ID, allow_none=True)
    device_figures = fields.Dict(allow_none=True)
    mismatches = fields.List(fields.Dict())
    opened_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


@blp.route("/fiscal/shifts/<int:shift_id>")
class DeviceShiftById(MethodView):
    """A shift on the registrar."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.response(200, DeviceShiftSchema)
    def get(self, shift_id: int) -> Any:
        """Show what the registrar recorded of a shift and where it differs from ours."""
        return service.device_shift_of(current_db(), shift_id, authenticate())


class NewCorrectionSchema(StrictSchema):
    """A correction receipt: a settlement that reached no fiscal receipt, registered now."""

    till_id = Id(required=True)
    operation = fields.String(required=True, validate=validate.OneOf(OPERATIONS), metadata={
        "description": "sale: income not registered; return: a refund not registered"})
    amount = Money(required=True)
    cash = Money(required=True, metadata={"description": "the cash part of the amount"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))
    reference = fields.String(load_default="", validate=validate.Length(max=100), metadata={
        "description": "the tax authority's order or the wrong document's number"})


class CorrectionSchema(Schema):
    """A recorded correction receipt."""

    id = Id()
    till_id = Id()
    shift_id = Id()
    number = Int(1, MAX_ID)
    operation = fields.String()
    amount = Money(attribute="amount_minor")
    cash = Money(attribute="cash_minor")
    reason = fields.String()
    reference = fields.String()
    created_at = fields.DateTime()


@blp.route("/fiscal/corrections")
class Corrections(MethodView):
    """Correction receipts."""

    @blp.requires(Right.APPROVE)
    @blp.arguments(NewCorrectionSchema)
    @blp.response(201, CorrectionSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Register a correction receipt in the till's open shift; the registrar signs it."""
        return record_correction(use_case(), NewCorrection(
            till_id=data["till_id"], operation=data["operation"], amount_minor=data["amount"],
            cash_minor=data["cash"], reason=data["reason"], reference=data["reference"]))
