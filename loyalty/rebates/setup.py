"""What rebates register in an app's registry: the account payment types, accrual, a report."""

from __future__ import annotations

from loyalty.customers.account import register_payment_types
from loyalty.customers.report import shift_section
from loyalty.rebates.accrual import RebateListener
from pos.core.registry import Registry


def register_rebates(registry: Registry) -> None:
    """Register paying on account and with rebate credit, accrual, the shift report section."""
    register_payment_types(registry.payment_types)
    registry.receipt_listeners.register(RebateListener())
    registry.shift_reports.register("wholesale", shift_section)
