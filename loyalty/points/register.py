"""What points register in an app: the ``points`` payment type, the listener, the report."""

from __future__ import annotations

from loyalty.cards.codes import holder_codes
from loyalty.points.report import shift_section
from loyalty.points.tender import POINTS, PointsListener, PointsTender
from pos.core.config import Settings
from pos.core.registry import PaymentType, Registry


def register_points(registry: Registry, settings: Settings) -> None:
    """Accept points as a payment, earn on closes, add points to X and Z reports.

    A registered holder's sale prints a sign-in code derived with the installation's secret
    key (``settings`` has one: see :mod:`pos.core.secret_key`).
    """
    registry.payment_types.register(PaymentType(POINTS, tender=PointsTender()))
    registry.receipt_listeners.register(PointsListener(holder_codes(settings.secret_key)))
    registry.shift_reports.register("loyalty", shift_section)
