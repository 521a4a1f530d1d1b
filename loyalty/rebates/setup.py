"""What rebates register in an app's registry: the account payment types, accrual, reports."""

from __future__ import annotations

from loyalty.customers.account import register_payment_types
from loyalty.customers.report import shift_section
from loyalty.rebates.accrual import RebateListener
from loyalty.rebates.allowance import AllowanceListener, shift_figures
from pos.core.registry import Registry


def register_rebates(registry: Registry) -> None:
    """Register paying on account and with rebate credit, accrual, allowances, the reports."""
    register_payment_types(registry.payment_types)
    registry.receipt_listeners.register(RebateListener())
    registry.receipt_listeners.register(AllowanceListener())
    registry.shift_reports.register("wholesale", shift_section)
    # Beside "wholesale" rather than in it: its figures are the allowance ledger's, not payments.
    registry.shift_reports.register("rebate_allowances", shift_figures)
