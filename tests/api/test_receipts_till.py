"""A till driver for API flows (``till.open_shift()``, ``till.sell(...)``) and its own checks."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.helpers import ApiClient, Shop

MANAGER = {"X-Manager-Credentials": "manager:manager-pass"}


class Till:
    """Drive one till through the API as one user."""

    def __init__(self, api: ApiClient, shop: Shop, till_id: int | None = None) -> None:
        self.api, self.shop = api, shop
        self.till_id = till_id or shop.till_id
        self.shift: dict[str, Any] | None = None
        self.receipt: dict[str, Any] | None = None

    def as_(self, user: str) -> Till:
        """Return the same till driven by another user."""
        other = Till(self.api.as_(user), self.shop, self.till_id)
        other.shift, other.receipt = self.shift, self.receipt
        return other

    def ok(self, response: Any, status: int = 200) -> dict[str, Any]:
        """Assert the status and return the JSON body."""
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def open_shift(self, opening_float: str = "1000.00") -> dict[str, Any]:
        """Open a shift on this till."""
        self.shift = self.ok(self.api.post("/api/v1/shifts", json={
            "till_id": self.till_id, "opening_float": opening_float}), 201)
        return self.shift

    def open_receipt(self) -> dict[str, Any]:
        """Open an empty receipt."""
        self.receipt = self.ok(self.api.post("/api/v1/receipts",
                                             json={"till_id": self.till_id}), 201)
        return self.receipt

    def sell_response(self, sku: str | None = None, **fields: Any) -> Any:
        """Add a line, returning the raw response."""
        assert self.receipt is not None
        body = {"sku": sku, **fields} if sku else dict(fields)
        return self.api.post(f"/api/v1/receipts/{self.receipt['id']}/lines", json=body)

    def sell(self, sku: str | None = None, **fields: Any) -> dict[str, Any]:
        """Add a line by SKU or code and return the receipt."""
        self.receipt = self.ok(self.sell_response(sku, **fields), 201)
        return self.receipt

    def pay(self, kind: str, amount: str, **fields: Any) -> Any:
        """Add a payment, returning the raw response."""
        assert self.receipt is not None
        return self.api.post(f"/api/v1/receipts/{self.receipt['id']}/payments",
                             json={"type": kind, "amount": amount, **fields})

    def pay_cash(self, amount: str) -> dict[str, Any]:
        """Pay in cash."""
        self.receipt = self.ok(self.pay("cash", amount), 201)
        return self.receipt

    def pay_card(self, amount: str) -> dict[str, Any]:
        """Pay by card (brand and last four only)."""
        self.receipt = self.ok(self.pay("card", amount, card_brand="VISA", card_last4="4242",
                                        terminal_ref="T-0001"), 201)
        return self.receipt

    def close(self) -> dict[str, Any]:
        """Close the current receipt."""
        assert self.receipt is not None
        self.receipt = self.ok(self.api.post(f"/api/v1/receipts/{self.receipt['id']}/close"))
        return self.receipt

    def checkout(self, lines: list[dict[str, Any]], payments: list[dict[str, Any]],
                 **extra: Any) -> Any:
        """Upload a finished receipt in one request (raw response)."""
        body = {"till_id": self.till_id, "client_uuid": str(uuid.uuid4()), "lines": lines,
                "payments": payments, **extra}
        return self.api.post("/api/v1/receipts", json=body)

    def x_report(self) -> dict[str, Any]:
        """Return the X report of the open shift."""
        assert self.shift is not None
        return self.ok(self.api.get(f"/api/v1/shifts/{self.shift['id']}/x-report"))


@pytest.fixture
def till(api: ApiClient, shop: Shop) -> Till:
    """Till 1 driven by the cashier."""
    return Till(api, shop)


class TestTillDriver:
    def test_a_cashier_sells_one_item_for_cash(self, till):
        till.open_shift()
        till.open_receipt()
        till.sell("OAT-MILK-1L")
        till.pay_cash("200.00")
        receipt = till.close()
        assert receipt["state"] == "closed"
        assert receipt["change"] == "50.10"
