"""Two tills at once cannot push a customer past its credit limit, settle twice, or overspend."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from loyalty.customers.service import find_customer
from loyalty.rebates.allowance import list_allowances
from loyalty.rebates.claims import approve_claim, calculate_period
from loyalty.rebates.progress import MANAGER
from loyalty.rebates.settlement import settle
from pos.core.errors import PosError
from pos.receipts.service import close_receipt
from pos.shifts.service import open_shift
from tests.helpers import context_for
from tests.service.rebates.conftest import later, sell
from tests.service.rebates.test_allowance import PREMIUM_MINOR, open_sale, pay_cash


def race(action: Callable[[], Any], times: int = 4) -> list[str]:
    """Run ``action`` from ``times`` threads at once; return each outcome ("ok" or a code)."""
    start, outcomes = threading.Barrier(times), []

    def run() -> None:
        start.wait()
        try:
            action()
            outcomes.append("ok")
        except PosError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_concurrent_purchases_on_account_never_exceed_the_limit(cashier, shop, shift, acme):
    # Each buys 1499.00 against a 5000.00 limit: three fit, the fourth must be refused.
    outcomes = race(lambda: sell(cashier, shop.till_id, "10", pay="on_account"))
    assert outcomes == ["credit_limit_exceeded", "ok", "ok", "ok"]
    assert find_customer(cashier.db, acme.id).debt_minor == 3 * 149900


def test_concurrent_settlements_never_exceed_what_was_approved(cashier, manager, shop, shift,
                                                                agreement, acme):
    sell(cashier, shop.till_id, "8")
    claim = calculate_period(later(manager), "2026-Q4")[0]
    approve_claim(later(manager), claim.id)
    outcomes = race(lambda: settle(later(manager), claim.id, 3598, "credit"))
    assert outcomes == ["ok"] + ["settlement_exceeds_approved"] * 3
    assert find_customer(cashier.db, acme.id).credit_minor == 3598


def test_two_tills_closing_on_one_allowance_never_use_more_than_was_granted(
        db, registry, cashier, manager, shop, shift, agreement):
    sell(cashier, shop.till_id, "8")
    claim = calculate_period(later(manager), "2026-Q4")[0]
    approve_claim(later(manager), claim.id)
    settle(later(manager), claim.id, PREMIUM_MINOR, "discount")
    other = context_for(db, registry, "cashier", cashier.now, till_id=shop.other_till_id)
    open_shift(other, shop.other_till_id, 0)
    # Both receipts are priced with the whole allowance before either closes.
    receipts = iter([(ctx, pay_cash(ctx, open_sale(ctx, ctx.till_id, "1")))
                     for ctx in (cashier, other)])
    lock = threading.Lock()

    def close_next() -> None:
        with lock:
            ctx, receipt = next(receipts)
        close_receipt(ctx, receipt.id)

    assert race(close_next, times=2) == ["allowance_exhausted", "ok"]
    (allowance,) = list_allowances(manager.db, MANAGER)
    assert allowance.used_minor == allowance.granted_minor == PREMIUM_MINOR
