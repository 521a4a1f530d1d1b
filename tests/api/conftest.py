"""Fixtures of the API tests: an open shift and an open receipt made through the API."""

from __future__ import annotations

import pytest


@pytest.fixture
def shift(api, shop) -> dict:  # type: ignore[no-untyped-def]
    """An open shift on till 1."""
    response = api.post("/api/v1/shifts", json={"till_id": shop.till_id,
                                                "opening_float": "100.00"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def receipt(api, shop, shift) -> dict:  # type: ignore[no-untyped-def]
    """An open receipt with one oat milk (149.90) on it."""
    opened = api.post("/api/v1/receipts", json={"till_id": shop.till_id}).get_json()
    response = api.post(f"/api/v1/receipts/{opened['id']}/lines?view=full",
                        json={"sku": "OAT-MILK-1L", "quantity": "1"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()
