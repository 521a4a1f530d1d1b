"""How gift certificates join an app: a payment type, a receipt listener, a report section."""

from __future__ import annotations

from loyalty.gift_certificates.codes import CodeBook
from loyalty.gift_certificates.guard import PointsGuard
from loyalty.gift_certificates.report import shift_section
from loyalty.gift_certificates.tender import PAYMENT_TYPE, GiftCertificates
from pos.core.config import Settings
from pos.core.errors import ConfigurationError
from pos.core.registry import PaymentType, Registry


def code_book(settings: Settings) -> CodeBook:
    """Return the installation's code book: its own secret, else one drawn from secret_key."""
    if not (settings.gift_code_secret or settings.secret_key):
        raise ConfigurationError("No secret to derive gift certificate codes from: set "
                                 "POS_SECRET_KEY or POS_GIFT_CODE_SECRET")
    return CodeBook.from_secret(settings.gift_code_secret or f"key:{settings.secret_key}")


def register(registry: Registry, settings: Settings) -> None:
    """Register the ``gift_certificate`` payment type, its listener, guard and X/Z section."""
    feature = GiftCertificates(code_book(settings))
    registry.payment_types.register(PaymentType(PAYMENT_TYPE, fields=(), tender=feature,
                                                is_refundable=True,
                                                refund_as=feature.refund_as,
                                                hidden_details=frozenset({"digest"})))
    registry.receipt_listeners.register(feature)
    registry.payment_guards.register(PointsGuard())
    registry.shift_reports.register("gift_certificates", shift_section)
