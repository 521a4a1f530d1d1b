"""Which screens the app serves; ``create_app`` registers them with :func:`register`."""

from __future__ import annotations

from flask import Flask

from pos.screens import (
    till_display,
    till_loyalty,
    till_pricing,
    till_returns,
    till_sale,
    till_shift,
)
from pos.screens.till import blp as till_blp
from pos.screens.web import register_screens

# Imported for the routes they add to the till blueprint.
_ROUTES = (till_shift, till_sale, till_display, till_loyalty, till_returns, till_pricing)


def register(app: Flask) -> None:
    """Serve the till (``/till``) and the screens' assets."""
    register_screens(app, (till_blp,))
