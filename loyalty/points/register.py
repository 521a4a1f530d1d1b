"""What points register in an app: the ``points`` payment type, the listener, the report."""

from __future__ import annotations

from loyalty.points.report import shift_section
from loyalty.points.tender import POINTS, PointsListener, PointsTender
from pos.core.registry import PaymentType, Registry


def register_points(registry: Registry) -> None:
    """Accept points as a payment, earn on closes, add points to X and Z reports."""
    registry.payment_types.register(PaymentType(POINTS, tender=PointsTender()))
    registry.receipt_listeners.register(PointsListener())
    registry.shift_reports.register("loyalty", shift_section)
