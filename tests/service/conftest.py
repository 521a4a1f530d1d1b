"""Fixtures of the use-case tests: who acts, from which till, on an open shift and receipt."""

from __future__ import annotations

import pytest

from pos.core.context import Context
from pos.receipts.model import Receipt
from pos.receipts.opening import NewReceipt, create_receipt
from pos.shifts.model import Shift
from pos.shifts.service import open_shift
from tests.helpers import Shop, context_for

OPENING_FLOAT_MINOR = 100000  # 1000.00 in the drawer


@pytest.fixture
def cashier(db, registry, shop: Shop, fixed_clock) -> Context:  # type: ignore[no-untyped-def]
    """The cashier, now, at till 1."""
    return context_for(db, registry, "cashier", fixed_clock.now(), till_id=shop.till_id)


@pytest.fixture
def manager(db, registry, shop: Shop, fixed_clock) -> Context:  # type: ignore[no-untyped-def]
    """The manager, now, at till 1."""
    return context_for(db, registry, "manager", fixed_clock.now(), till_id=shop.till_id)


@pytest.fixture
def shift(cashier: Context, shop: Shop) -> Shift:
    """Till 1's shift, opened by the cashier with 1000.00 in the drawer."""
    return open_shift(cashier, shop.till_id, OPENING_FLOAT_MINOR)


@pytest.fixture
def receipt(cashier: Context, shop: Shop, shift: Shift) -> Receipt:
    """An empty receipt the cashier opened on till 1."""
    return create_receipt(cashier, NewReceipt(till_id=shop.till_id)).receipt
