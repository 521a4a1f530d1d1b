"""Which screens the app serves; ``create_app`` registers them with :func:`register`."""

from __future__ import annotations

from flask import Flask

from pos.screens import (
    office_approvals,
    office_devices,
    office_discount_simulate,
    office_discounts,
    office_loyalty,
    office_rebates,
    office_receipts,
    office_sales,
    office_shifts,
    till_display,
    till_loyalty,
    till_pricing,
    till_returns,
    till_sale,
    till_shift,
)
from pos.screens.me_routes import blp as me_blp
from pos.screens.office import blp as office_blp
from pos.screens.till import blp as till_blp
from pos.screens.web import register_screens

# Imported for the routes they add to the till blueprint.
_ROUTES = (till_shift, till_sale, till_display, till_loyalty, till_returns, till_pricing)
# Imported for the routes they add to the office blueprint: shifts, receipts and approvals;
# discounts; sales charts, loyalty and certificates, rebates, devices.
_OFFICE = (office_shifts, office_receipts, office_approvals, office_discounts,
           office_discount_simulate, office_sales, office_loyalty, office_rebates,
           office_devices)


def register(app: Flask) -> None:
    """Serve the till (``/till``), the office (``/office``), ``/me`` and the screens' assets."""
    register_screens(app, (till_blp, office_blp, me_blp))
