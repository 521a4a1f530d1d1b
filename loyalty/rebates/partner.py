"""Partner sign-in: a user linked to a customer sees that customer's agreements, no other.

A partner is an ordinary user (role ``card_holder``: no staff rights) whom an admin links to
a customer (``POST /customers/{id}/partners``); it signs in like anyone, and the partner
routes show it only agreements made with its customer. Another's agreement is 404.
"""

from __future__ import annotations

from loyalty.customers.service import partner_customer
from loyalty.rebates.progress import Viewer
from pos.core.errors import ForbiddenError
from pos.core.web import authenticate, current_db


def partner_viewer() -> Viewer:
    """Return the signed-in partner as a viewer, or refuse one who stands for no customer."""
    customer_id = partner_customer(current_db(), authenticate().user_id)
    if customer_id is None:
        raise ForbiddenError("You do not sign in for a customer", code="not_a_partner")
    return Viewer(customer_id)
