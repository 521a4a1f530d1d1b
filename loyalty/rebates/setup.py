"""What rebates register in an app's registry: the two account payment types, the accrual."""

from __future__ import annotations

from loyalty.customers.account import register_payment_types
from loyalty.rebates.accrual import RebateListener
from pos.core.registry import Registry


def register_rebates(registry: Registry) -> None:
    """Register paying on account and with rebate credit, and accrual on every close."""
    register_payment_types(registry.payment_types)
    registry.receipt_listeners.register(RebateListener())
