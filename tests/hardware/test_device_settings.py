"""A till's devices: settings kept by managers, live status from the device service."""

from __future__ import annotations

from tests.hardware.conftest import attach, wait_until
from tests.helpers import problem


class TestSettings:
    def test_a_manager_attaches_a_device_and_its_password_is_never_shown(self, api, shop):
        created = attach(api, shop.till_id, "fiscal", "shtrih", "/dev/ttyUSB0", password=30)
        assert created.status_code == 201
        body = created.get_json()
        assert (body["kind"], body["url"], body["has_password"]) == ("fiscal", "/dev/ttyUSB0",
                                                                   True)
        assert "password" not in body

    def test_a_second_device_of_one_kind_on_a_till_is_refused(self, api, shop):
        attach(api, shop.till_id, "scale", "mtsics", "/dev/ttyUSB1")
        again = attach(api, shop.till_id, "scale", "toledo8217", "/dev/ttyUSB2")
        assert problem(again, 409)["code"] == "device_already_attached"

    def test_a_protocol_the_kind_does_not_speak_is_refused(self, api, shop):
        wrong = attach(api, shop.till_id, "scale", "escpos", "/dev/ttyUSB1")
        assert problem(wrong, 422)["code"] == "unknown_protocol"

    def test_a_cashier_may_not_configure_devices(self, api, shop):
        response = api.post(f"/api/v1/tills/{shop.till_id}/devices",
                            json={"kind": "scale", "protocol": "fake", "url": "x"})
        assert problem(response, 403)["code"] == "forbidden"

    def test_a_manager_changes_and_removes_a_device(self, api, shop):
        device = attach(api, shop.till_id, "printer", "escpos", "/dev/usb/lp0").get_json()
        manager = api.as_("manager")
        changed = manager.patch(f"/api/v1/devices/{device['id']}", json={"baudrate": 19200})
        assert changed.get_json()["baudrate"] == 19200
        assert manager.delete(f"/api/v1/devices/{device['id']}").status_code == 204
        assert manager.get(f"/api/v1/tills/{shop.till_id}/devices").get_json() == []

    def test_another_stores_till_is_not_found(self, api, shop):
        response = api.as_("manager").get(f"/api/v1/tills/{shop.other_store_till_id}/devices")
        assert problem(response, 404)["code"] == "till_not_found"


class TestLiveStatus:
    def _status(self, api, till_id):
        devices = api.as_("manager").get(f"/api/v1/tills/{till_id}/devices").get_json()
        return {d["kind"]: d["status"] for d in devices}

    def test_status_shows_each_emulated_device_online(self, api, shop, device_service):
        status = wait_until(lambda: all(s and s["online"] and s["checked_at"]
                                        for s in self._status(api, shop.till_id).values())
                            and self._status(api, shop.till_id))
        assert status["fiscal"]["shift_state"] == "closed"
        assert status["fiscal"]["last_document_number"] == 0
        assert status["fiscal"]["paper"] == "ok"
        assert status["printer"]["paper"] == "ok"

    def test_a_pulled_registrar_shows_offline_with_its_error(self, api, shop, device_service,
                                                             attached):
        wait_until(lambda: (self._status(api, shop.till_id)["fiscal"] or {}).get("online"))
        attached["fiscal"].disconnect()
        fiscal = wait_until(lambda: (lambda s: s if not s["online"] else None)(
            self._status(api, shop.till_id)["fiscal"]))
        assert fiscal["last_error_code"] in ("disconnected", "device_absent", "device_timeout")

    def test_without_the_device_service_status_says_it_is_unreachable(self, app, api, shop):
        import dataclasses

        settings = app.extensions["pos.settings"]
        app.extensions["pos.settings"] = dataclasses.replace(settings,
                                                             device_service="127.0.0.1:9")
        attach(api, shop.till_id, "scale", "fake", "x")
        status = self._status(api, shop.till_id)["scale"]
        assert (status["online"], status["last_error_code"]) == (False,
                                                                 "device_service_unavailable")
