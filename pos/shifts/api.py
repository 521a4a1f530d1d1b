"""HTTP endpoints of shifts: open, cash in/out, X report, close (Z report), list."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from loyalty.gift_certificates.wiring import code_book
from pos.core.request import current_settings
from pos.core.security import Right
from pos.core.web import (
    ApiBlueprint,
    authenticate,
    current_db,
    idempotent,
    use_case,
)
from pos.shifts import blind, payouts, service
from pos.shifts.model import CASH_IN, CASH_OUT
from pos.shifts.report import present
from pos.shifts.schemas import (
    CashMovementSchema,
    CashMoveSchema,
    CertificatePayoutSchema,
    CloseShiftSchema,
    OpenShiftSchema,
    ShiftPageSchema,
    ShiftQuerySchema,
    ShiftSchema,
)

blp = ApiBlueprint("shifts", __name__, url_prefix="/api/v1",
                   description="Shifts, cash in and out, X and Z reports")


@blp.route("/shifts")
class Shifts(MethodView):
    """Shifts."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.arguments(ShiftQuerySchema, location="query")
    @blp.response(200, ShiftPageSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """List shifts with their stored reports (``till``, ``from``, ``to``)."""
        return service.list_shifts(current_db(), till_id=query.get("till"),
                                   date_from=query.get("from_"), date_to=query.get("to"),
                                   page=query["page"], page_size=query["page_size"],
                                   viewer=authenticate())

    @idempotent
    @blp.requires(Right.OPEN_SHIFT)
    @blp.approvable
    @blp.arguments(OpenShiftSchema)
    @blp.response(201, ShiftSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Open a shift on a till with the opening cash."""
        return service.open_shift(use_case(), data["till_id"], data["opening_float"])


@blp.route("/shifts/<int:shift_id>")
class ShiftById(MethodView):
    """One shift."""

    @blp.requires(Right.SELL)
    @blp.response(200, ShiftSchema)
    def get(self, shift_id: int) -> Any:
        """Return a shift (with its Z report once closed)."""
        viewer = authenticate()
        return blind.redact(service.get_shift(current_db(), shift_id, viewer), viewer)


@blp.route("/shifts/<int:shift_id>/cash-in")
class CashIn(MethodView):
    """Cash in."""

    @idempotent
    @blp.requires(Right.CASH_IN)
    @blp.approvable
    @blp.arguments(CashMoveSchema)
    @blp.response(201, CashMovementSchema)
    def post(self, data: dict[str, Any], shift_id: int) -> Any:
        """Put cash into the drawer (a numbered fiscal document)."""
        return service.move_cash(use_case(), shift_id, CASH_IN, data["amount"],
                                 data["reason"])


@blp.route("/shifts/<int:shift_id>/cash-out")
class CashOut(MethodView):
    """Cash out."""

    @idempotent
    @blp.requires(Right.SELL)
    @blp.approvable
    @blp.arguments(CashMoveSchema)
    @blp.response(201, CashMovementSchema)
    def post(self, data: dict[str, Any], shift_id: int) -> Any:
        """Take cash to the safe; cashiers need a manager's approval."""
        return service.move_cash(use_case(), shift_id, CASH_OUT, data["amount"],
                                 data["reason"])


@blp.route("/shifts/<int:shift_id>/gift-certificate-payouts")
class CertificatePayout(MethodView):
    """A gift certificate's small remainder paid out in cash."""

    @idempotent
    @blp.requires(Right.SELL)
    @blp.arguments(CertificatePayoutSchema)
    @blp.response(201, CashMovementSchema)
    @blp.alt_response(409, schema="Problem")
    @blp.alt_response(429, schema="Problem")
    def post(self, data: dict[str, Any], shift_id: int) -> Any:
        """Pay out a remainder below the type's threshold: a journaled cash out of the drawer."""
        return payouts.pay_out_certificate(use_case(), code_book(current_settings()), shift_id,
                                           data["code"])


@blp.route("/shifts/<int:shift_id>/x-report")
class XReport(MethodView):
    """X report."""

    @blp.requires(Right.SELL)
    @blp.response(200)
    def get(self, shift_id: int) -> Any:
        """Return the shift's totals so far without closing it."""
        return present(service.x_report(use_case(), shift_id))


@blp.route("/shifts/<int:shift_id>/close")
class CloseShift(MethodView):
    """Close a shift."""

    @idempotent
    @blp.requires(Right.OPEN_SHIFT)
    @blp.approvable
    @blp.arguments(CloseShiftSchema)
    @blp.response(200, ShiftSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any], shift_id: int) -> Any:
        """Close with the counted cash; the Z report is stored with the shift."""
        cmd = service.CloseShift(data["counted_cash"], data["blind"])
        ctx = use_case()
        return blind.redact(service.close_shift(ctx, shift_id, cmd), ctx.actor.principal)
