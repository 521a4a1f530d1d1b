"""Which screens the app serves; ``create_app`` registers them with :func:`register`."""

from __future__ import annotations

from flask import Flask

from pos.screens import (
    office_approvals,
    office_receipts,
    office_shifts,
    till_display,
    till_sale,
    till_shift,
)
from pos.screens.office import blp as office_blp
from pos.screens.till import blp as till_blp
from pos.screens.web import register_screens

# Imported for the routes they add to the till blueprint.
_ROUTES = (till_shift, till_sale, till_display)
# Imported for the routes they add to the office blueprint.
_OFFICE_OPS = (office_shifts, office_receipts, office_approvals)


def register(app: Flask) -> None:
    """Serve the till (``/till``), the office (``/office``) and the screens' assets."""
    register_screens(app, (till_blp, office_blp))
