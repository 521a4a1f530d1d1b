"""Kill the device service between sending a receipt's close and reading its answer.

The service runs as its own process (``pos devices serve``) and is killed with SIGKILL while
the registrar has executed the close but not yet answered; a new service must find the
receipt signed and mark it, never print it twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devices.fiscal.shtrih_tables import Cmd
from tests.hardware.conftest import attach, start_service, wait_until
from tests.hardware.fiscal_day import drain, rows, sell

ROOT = Path(__file__).resolve().parents[2]
# Long enough that the kill always lands while the service still waits for the answer.
PATIENT_TIMEOUT_MS = 20000


@pytest.fixture
def patient_registrar(api, shop, registrar_emulator):
    """Till 1's registrar, attached with a long answer timeout."""
    assert attach(api, shop.till_id, "fiscal", "shtrih", registrar_emulator.url,
                  timeout_ms=PATIENT_TIMEOUT_MS).status_code == 201
    return registrar_emulator


def _serve_in_a_process(database_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "POS_DATABASE_URL": database_url, "POS_LOG_LEVEL": "WARNING"}
    code = "from pos.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "devices", "serve", "--address", "127.0.0.1:0",
         "--backoff", "0"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)


def test_a_service_killed_before_the_close_answer_leaves_one_signed_receipt(
        app, db, till, patient_registrar):
    till.open_shift("100.00")
    sale = sell(till)
    patient_registrar.inject("lost_answer", int(Cmd.CLOSE_RECEIPT))
    process = _serve_in_a_process(db.url)
    try:
        wait_until(lambda: int(Cmd.CLOSE_RECEIPT) in patient_registrar.commands, 60)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    assert len(patient_registrar.receipts) == 1  # signed on the device...
    row = [r for r in rows(db, till.till_id) if r.kind == "sale"][0]
    assert row.state == "pending" and row.expected_device_number is not None  # ...not by us
    service = start_service(app, db)
    try:
        drain(service, db, till.till_id)
    finally:
        service.stop()
    assert len(patient_registrar.receipts) == 1
    document = patient_registrar.receipts[0]
    body = till.ok(till.api.get(f"/api/v1/receipts/{sale['id']}"))
    assert (body["fiscal_document_number"], body["fiscal_sign"]) == (document.number,
                                                                     document.fiscal_sign)
