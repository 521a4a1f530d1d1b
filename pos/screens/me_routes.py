"""The ``/me`` blueprint with all its routes: sign-in (``me``), cards, the partner's page."""

from __future__ import annotations

from pos.screens import me_cards, me_partner
from pos.screens.me import blp

# Imported for the routes they add to the /me blueprint.
ROUTES = (me_cards, me_partner)
__all__ = ["blp"]
