"""`pos fiscal process`: real outbox rows go to the real driver on the emulator, or nowhere.

It lives beside the driver tests to reuse their emulator fixtures.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from devices.emulators.shtrih import ShtrihEmulator
from pos.core.db import Database
from pos.fiscal.model import OutboxEntry
from tests.helpers import Shop, Till


@pytest.fixture
def till(till: Till) -> Till:
    """Till 1 driven by the cashier, with a shift open and two cash sales closed."""
    till.open_shift("100.00")
    for _ in range(2):
        till.ok(till.checkout([{"sku": "MILK-1L"}], [{"type": "cash", "amount": "100.00"}]), 201)
    return till


def _fiscal_process(app: Any, *options: str) -> Any:
    return app.test_cli_runner().invoke(args=["fiscal", "process", *options])


def _rows(db: Database, till_id: int) -> list[OutboxEntry]:
    with db.read() as session:
        return list(session.scalars(select(OutboxEntry).where(OutboxEntry.till_id == till_id)
                                    .order_by(OutboxEntry.id)))


class TestWithoutARegistrarAndItsTill:
    @pytest.mark.parametrize("options", [(), ("--registrar", ""), ("--registrar", "  "),
                                         ("--registrar", "/dev/ttyUSB0")])
    def test_the_command_refuses_and_the_outbox_stays_pending(self, app, db, till, options):
        result = _fiscal_process(app, *options)
        assert result.exit_code == 2, result.output
        assert "nothing was sent" in result.output
        rows = _rows(db, till.till_id)
        assert [r.kind for r in rows] == ["shift_open", "sale", "sale"]
        assert {(r.state, r.attempts, r.device_number) for r in rows} == {("pending", 0, None)}

    def test_a_registrar_that_cannot_be_opened_sends_nothing(self, app, db, till, tmp_path):
        result = _fiscal_process(app, "--registrar", str(tmp_path / "no-such-tty"),
                                 "--till", str(till.till_id), "--timeout", "0.25")
        assert result.exit_code == 1, result.output
        assert "nothing was sent" in result.output
        rows = _rows(db, till.till_id)
        assert {(r.state, r.attempts) for r in rows} == {("pending", 0)}


class TestOnTheShtrihEmulator:
    def test_pending_documents_are_fiscalised_with_the_device_numbers(
            self, app, db, till, shop: Shop, shtrih_emulator: ShtrihEmulator):
        other = Till(till.api, shop, shop.other_till_id)
        other.open_shift("50.00")
        result = _fiscal_process(app, "--registrar", shtrih_emulator.url,
                                 "--till", str(till.till_id), "--timeout", "0.25")
        assert result.exit_code == 0, result.output
        rows = _rows(db, till.till_id)
        assert {r.state for r in rows} == {"fiscalised"}
        signed = [(d.number, d.fiscal_sign) for d in shtrih_emulator.receipts]
        assert len(signed) == 2
        assert [(r.device_number, r.fiscal_sign) for r in rows if r.kind == "sale"] == signed
        assert {r.state for r in _rows(db, shop.other_till_id)} == {"pending"}

    def test_a_whole_day_with_a_return_and_the_z_report_is_fiscalised(
            self, app, db, till, shtrih_emulator: ShtrihEmulator):
        sale = till.ok(till.checkout([{"sku": "OAT-MILK-1L", "quantity": "2"}],
                                     [{"type": "cash", "amount": "300.00"}]), 201)
        till.ok(till.api.post("/api/v1/returns", json={
            "till_id": till.till_id, "original_receipt_id": sale["id"],
            "lines": [{"line_no": 1, "quantity": "1"}]}), 201)
        base = f"/api/v1/shifts/{till.shift['id']}"
        till.ok(till.api.as_("manager").post(f"{base}/cash-out",
                                             json={"amount": "20.00", "reason": "safe"}), 201)
        expected = till.x_report()["cash"]["expected"]
        till.ok(till.api.post(f"{base}/close", json={"counted_cash": expected}))
        result = _fiscal_process(app, "--registrar", shtrih_emulator.url,
                                 "--till", str(till.till_id), "--timeout", "0.25")
        assert result.exit_code == 0, result.output
        rows = _rows(db, till.till_id)
        assert [r.kind for r in rows] == ["shift_open", "sale", "sale", "sale", "return",
                                          "cash_out", "z_report"]
        assert {r.state for r in rows} == {"fiscalised"}
        signed = [(d.number, d.fiscal_sign) for d in shtrih_emulator.receipts]
        assert [(r.device_number, r.fiscal_sign) for r in rows[1:5]] == signed
