"""Fixtures of the rebate use cases: a wholesale customer, agreements, sales to it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from loyalty.customers.service import NewCustomer, create_customer
from loyalty.rebates.agreements import advance, create_agreement
from pos.core.context import Context
from pos.receipts.lines import LineRequest
from pos.receipts.opening import NewReceipt, create_receipt
from pos.receipts.returns import NewReturn, ReturnLine, create_return
from pos.receipts.service import PaymentRequest

OAT_MILK_MINOR = 14990
# Small tiers, so a few sales of oat milk reach them: from 1000.00 3 %, from 2000.00 5 %.
TIERS = [{"from": "1000.00", "rate": "3"}, {"from": "2000.00", "rate": "5"}]
AFTER_Q4 = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def acme(manager: Context) -> Any:
    """ACME Wholesale: credit limit 5000.00, 30 days to pay."""
    return create_customer(manager, NewCustomer(
        code="ACME", legal_name="ACME Wholesale LLC", tax_id="7701234567", segment="HORECA",
        credit_limit_minor=500000, payment_terms_days=30))


def agreement_terms(customer_id: int, **changes: Any) -> dict[str, Any]:
    """A quarterly whole-base agreement for 2026, with the small tiers."""
    return {"name": "ACME 2026", "customer_id": customer_id, "period_type": "quarter",
            "valid_from": datetime(2026, 1, 1).date(), "valid_to": datetime(2026, 12, 31).date(),
            "tiers": TIERS, **changes}


@pytest.fixture
def agreement(manager: Context, acme: Any) -> Any:
    """ACME's approved quarterly agreement."""
    draft = create_agreement(manager, agreement_terms(acme.id))
    return advance(manager, draft.id, "approved")


def sell(ctx: Context, till_id: int, quantity: str, *, customer: str | None = "ACME",
         pay: str = "cash") -> Any:
    """Sell oat milk to a customer, paid at once, and return the closed receipt."""
    total = int(OAT_MILK_MINOR * float(quantity))
    return create_receipt(ctx, NewReceipt(
        till_id=till_id, customer_ref=customer,
        lines=(LineRequest(sku="OAT-MILK-1L", quantity=quantity),),
        payments=(PaymentRequest(pay, total),))).receipt


def give_back(ctx: Context, till_id: int, sale: Any, quantity: str) -> Any:
    """Return part of a sale's first line."""
    return create_return(ctx, NewReturn(till_id=till_id, original_receipt_id=sale.id,
                                        lines=(ReturnLine(quantity, line_no=1),)))


def later(ctx: Context, when: datetime = AFTER_Q4) -> Context:
    """Return the same actor at a later time."""
    return replace(ctx, now=when)
