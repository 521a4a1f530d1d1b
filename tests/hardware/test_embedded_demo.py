"""The demo of ``make run`` on emulators, through a pulled and restored plug.

The demo till weighs on the emulated scale and is fiscalised on the emulated registrar.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from pos.demo import load_demo
from pos.hardware.channel import DeviceChannel
from pos.hardware.embedded import start_embedded
from tests.hardware.conftest import wait_until
from tests.helpers import ApiClient


@pytest.fixture
def demo(app, db, fixed_clock):
    """The demo data and its embedded device service on emulators."""
    with app.app_context():
        load_demo(db, fixed_clock.now(), item_count=20)
    # The service's own clock runs, so its back-off between retries elapses.
    embedded = start_embedded(db, lambda: datetime.now(UTC), "127.0.0.1:0")
    settings = app.extensions["pos.settings"]
    app.extensions["pos.settings"] = dataclasses.replace(
        settings, device_service=embedded.service.address)
    yield embedded
    embedded.stop()


def test_a_weighed_sale_through_a_pulled_plug_is_fiscalised_once(client, demo):
    api = ApiClient(client)
    channel = DeviceChannel(demo.service.address)
    assert api.post("/api/v1/shifts", json={"till_id": 1,
                                            "opening_float": "100.00"}).status_code == 201
    receipt = api.post("/api/v1/receipts", json={"till_id": 1}).get_json()
    lines = api.post(f"/api/v1/receipts/{receipt['id']}/lines?view=full",
                     json={"sku": "BANANA-KG", "weight_source": "scale"}).get_json()["lines"]
    assert (lines[0]["quantity"], lines[0]["amount"]) == ("0.742", "96.39")
    assert channel.call({"op": "emulator", "kind": "fiscal", "action": "unplug"}, 10)["ok"]
    api.post(f"/api/v1/receipts/{receipt['id']}/payments", json={"type": "cash",
                                                                 "amount": "100.00"})
    assert api.post(f"/api/v1/receipts/{receipt['id']}/close").status_code == 200
    queue = wait_until(lambda: [e for e in api.as_("manager").get("/api/v1/fiscal/queue")
                                .get_json()["items"] if e["last_error"]])
    assert queue[0]["kind"] in ("shift_open", "sale")
    assert channel.call({"op": "emulator", "kind": "fiscal", "action": "replug"}, 10)["ok"]
    body = wait_until(lambda: (lambda r: r if r["fiscal_document_number"] else None)(
        api.get(f"/api/v1/receipts/{receipt['id']}").get_json()))
    signed = demo.emulators["fiscal"].receipts
    assert [(d.number, d.fiscal_sign) for d in signed] == [
        (body["fiscal_document_number"], body["fiscal_sign"])]
    assert demo.emulators["printer"].model.drawer_kicks  # paid in cash


def test_every_demo_till_has_a_registrar_so_its_documents_leave_the_queue(client, demo):
    manager = ApiClient(client).as_("manager")
    assert len(demo.other_registrars) == 1  # till 2, where the wholesale deliveries are sold
    assert wait_until(lambda: manager.get("/api/v1/fiscal/queue").get_json()["items"] == [])
    assert demo.other_registrars[0].receipts  # the deliveries, signed on till 2's registrar
