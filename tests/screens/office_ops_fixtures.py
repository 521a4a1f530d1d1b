"""What the office's shift, receipt and approval tests share: a shift with a few sales."""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import ApiClient, Shop, Till, hire
from tests.screens.office_client import OfficeScreen


def sell(till: Till, sku: str = "OAT-MILK-1L", cash: str = "200.00") -> dict[str, Any]:
    """Sell one item for cash through the API and return the closed receipt."""
    till.open_receipt()
    till.sell(sku)
    till.pay_cash(cash)
    return till.close()


def open_with_sales(till: Till, count: int = 3) -> list[dict[str, Any]]:
    """Open the till's shift and make ``count`` cash sales of oat milk (149.90 each)."""
    till.open_shift()
    return [sell(till) for _ in range(count)]


def west_manager(api: ApiClient, shop: Shop, office: OfficeScreen) -> OfficeScreen:
    """Sign the office in as a manager of the other store (WEST) only."""
    hire(api, "wendy", "manager", [shop.other_store_id])
    office.sign_in("wendy")
    return office


def html(response: Any) -> str:
    """Return the page's text."""
    return str(response.get_data(as_text=True))


def has_inline_script(page: str) -> bool:
    """Tell whether a page carries a script without a src (CSP would block it)."""
    return re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is not None
