"""The customer display: a second window at the till showing the lines, the total, the change."""

from __future__ import annotations

from typing import Any

from flask import render_template

from pos.core.request import current_db
from pos.screens.till import blp, till_id
from pos.screens.till_state import shown_to_customer
from pos.stores.service import till_not_found


def _this_till(wanted: int) -> int:
    # A browser shows the display of the till it signed in at; any other is not found.
    if wanted != till_id():
        raise till_not_found(wanted)
    return wanted


@blp.get("/<int:display_till_id>/display")
def display(display_till_id: int) -> Any:
    """Show the customer display page (it refreshes its content every second)."""
    return render_template("screens/till/display.html", till_id=_this_till(display_till_id))


@blp.get("/<int:display_till_id>/display/now")
def display_now(display_till_id: int) -> Any:
    """Return what the customer sees now: the sale in progress, or the last one's change."""
    receipt = shown_to_customer(current_db(), _this_till(display_till_id))
    return render_template("screens/till/_display.html", receipt=receipt)
