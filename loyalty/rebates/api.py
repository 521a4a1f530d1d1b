"""HTTP endpoints of rebates: agreements, progress, claims, allowances, funds, reports, partners."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from loyalty.rebates import agreements, allowance, claims, funds, reports, settlement
from loyalty.rebates.partner import partner_viewer
from loyalty.rebates.progress import MANAGER, agreement_progress
from loyalty.rebates.schemas import (
    AgreementSchema,
    AgreementStatusSchema,
    AgreementUpdateSchema,
    AllowanceArgs,
    AllowanceSchema,
    ApproveClaimSchema,
    CalculateSchema,
    ClaimArgs,
    ClaimSchema,
    ClaimTotalSchema,
    FundSchema,
    NewAgreementSchema,
    NewFundSchema,
    PeriodArgs,
    ProgressSchema,
    SettlementSchema,
    SettleSchema,
)
from pos.core.security import Right
from pos.core.web import ApiBlueprint, current_clock, current_db, idempotent, use_case

blp = ApiBlueprint("rebates", __name__, url_prefix="/api/v1",
                   description="Retro-bonuses and trade allowances")
CSV = {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}}


def _today() -> Any:
    return current_clock().now().date()


@blp.route("/rebates/agreements")
class Agreements(MethodView):
    """Agreements (every version)."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.response(200, AgreementSchema(many=True))
    def get(self) -> Any:
        """List agreements, newest first."""
        return agreements.list_agreements(current_db())

    @idempotent
    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(NewAgreementSchema)
    @blp.response(201, AgreementSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Draft an agreement."""
        return agreements.create_agreement(use_case(), data)


@blp.route("/rebates/agreements/<int:agreement_id>")
class AgreementById(MethodView):
    """One agreement version."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.response(200, AgreementSchema)
    def get(self, agreement_id: int) -> Any:
        """Show an agreement version."""
        return agreements.find_agreement(current_db(), agreement_id)

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(AgreementUpdateSchema)
    @blp.response(200, AgreementSchema)
    @blp.alt_response(409, schema="Problem")
    def patch(self, changes: dict[str, Any], agreement_id: int) -> Any:
        """Change a draft, or write the next version of an approved agreement."""
        return agreements.change_agreement(use_case(), agreement_id, changes)


@blp.route("/rebates/agreements/<int:agreement_id>/status")
class AgreementStatus(MethodView):
    """An agreement's status."""

    @blp.requires(Right.APPROVE)
    @blp.arguments(AgreementStatusSchema)
    @blp.response(200, AgreementSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any], agreement_id: int) -> Any:
        """Approve, activate or close an agreement."""
        return agreements.advance(use_case(), agreement_id, data["status"])


@blp.route("/rebates/agreements/<int:agreement_id>/progress")
class AgreementProgress(MethodView):
    """Live progress."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, ProgressSchema)
    def get(self, args: dict[str, Any], agreement_id: int) -> Any:
        """Show base so far, tier, bonus, projection, distance to the next tier, days left."""
        return agreement_progress(current_db(), agreement_id, _today(),
                                  period_key=args.get("period"))


@blp.route("/rebates/calculations")
class Calculations(MethodView):
    """Period end."""

    @blp.requires(Right.APPROVE)
    @blp.arguments(CalculateSchema)
    @blp.response(201, ClaimSchema(many=True))
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Calculate a period that is over: new claims and adjustment claims."""
        return claims.calculate_period(use_case(), data["period"])


@blp.route("/rebates/claims")
class Claims(MethodView):
    """Claims."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.arguments(ClaimArgs, location="query")
    @blp.response(200, ClaimSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List claims, newest first."""
        return claims.list_claims(current_db(), status=args.get("status"),
                                  period_key=args.get("period"),
                                  customer_id=args.get("customer_id"))


@blp.route("/rebates/claims/<int:claim_id>/approve")
class ClaimApproval(MethodView):
    """A claim's approval."""

    @blp.requires(Right.APPROVE)
    @blp.arguments(ApproveClaimSchema)
    @blp.response(200, ClaimSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any], claim_id: int) -> Any:
        """Approve a calculated claim."""
        return claims.approve_claim(use_case(), claim_id, allow_overdraw=data["allow_overdraw"])


@blp.route("/rebates/claims/<int:claim_id>/settlements")
class ClaimSettlements(MethodView):
    """Settlements of a claim's agreement period."""

    @idempotent
    @blp.requires(Right.APPROVE)
    @blp.arguments(SettleSchema)
    @blp.response(201, SettlementSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any], claim_id: int) -> Any:
        """Settle what the period's approved claims owe, net of earlier settlements."""
        return settlement.settle(use_case(), claim_id, data["amount_minor"], data["method"],
                                 data["reference"])


@blp.route("/rebates/allowances")
class Allowances(MethodView):
    """Customers' rebate allowances (rebates settled as a discount at the till)."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.arguments(AllowanceArgs, location="query")
    @blp.response(200, AllowanceSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List allowances, newest first, optionally of one customer."""
        return allowance.list_allowances(current_db(), MANAGER, args.get("customer_id"))


@blp.route("/partner/allowances")
class PartnerAllowances(MethodView):
    """A partner's own allowances."""

    @blp.requires()
    @blp.response(200, AllowanceSchema(many=True))
    def get(self) -> Any:
        """List the signed-in partner's allowances: what it may still take off at the till."""
        return allowance.list_allowances(current_db(), partner_viewer())


@blp.route("/partner/allowances/<int:allowance_id>")
class PartnerAllowance(MethodView):
    """One of a partner's allowances."""

    @blp.requires()
    @blp.response(200, AllowanceSchema)
    def get(self, allowance_id: int) -> Any:
        """Show one of the partner's allowances; another's is 404."""
        return allowance.get_allowance(current_db(), allowance_id, partner_viewer())


@blp.route("/rebates/funds")
class Funds(MethodView):
    """Funds."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.response(200, FundSchema(many=True))
    def get(self) -> Any:
        """List funds with committed, claimed and settled amounts."""
        return reports.funds_report(current_db(), _today())

    @idempotent
    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(NewFundSchema)
    @blp.response(201, FundSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a fund (a draft until approved)."""
        return funds.create_fund(use_case(), **data)


@blp.route("/rebates/funds/<int:fund_id>/approve")
class FundApproval(MethodView):
    """A fund's approval."""

    @blp.requires(Right.APPROVE)
    @blp.response(200, FundSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, fund_id: int) -> Any:
        """Approve a fund."""
        return funds.approve_fund(use_case(), fund_id)


@blp.route("/rebates/reports/agreements")
class AgreementsReport(MethodView):
    """Agreements with progress."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.response(200, ProgressSchema(many=True))
    def get(self) -> Any:
        """List approved and active agreements with their progress."""
        return reports.agreements_report(current_db(), _today())


@blp.route("/rebates/reports/claims")
class ClaimsReport(MethodView):
    """Claims by status."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, ClaimTotalSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Count and sum claims by status."""
        return reports.claims_report(current_db(), args.get("period"))


@blp.route("/rebates/reports/<any(agreements, claims, funds):report>.csv")
class CsvReport(MethodView):
    """A report as CSV."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.doc(responses=CSV)
    def get(self, report: str) -> Any:
        """Export agreements with progress, claims by status, or funds as CSV."""
        return Response(reports.export(current_db(), report, _today()), mimetype="text/csv")


@blp.route("/partner/agreements")
class PartnerAgreements(MethodView):
    """A partner's own agreements."""

    @blp.requires()
    @blp.response(200, ProgressSchema(many=True))
    def get(self) -> Any:
        """List the signed-in partner's agreements with their progress."""
        return reports.agreements_report(current_db(), _today(), partner_viewer())


@blp.route("/partner/agreements/<int:agreement_id>/progress")
class PartnerProgress(MethodView):
    """A partner's progress on one of its agreements."""

    @blp.requires()
    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, ProgressSchema)
    def get(self, args: dict[str, Any], agreement_id: int) -> Any:
        """Show progress on one of the partner's agreements; another's is 404."""
        return agreement_progress(current_db(), agreement_id, _today(),
                                  viewer=partner_viewer(), period_key=args.get("period"))
