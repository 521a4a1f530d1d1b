"""HTTP endpoints of a till's devices: settings, live status, the scale, printing."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from pos.core.schemas import StrictSchema
from pos.core.security import Right
from pos.core.web import ApiBlueprint, authenticate, current_clock, current_db, current_settings
from pos.hardware import client, service, views
from pos.hardware.schemas import DeviceSchema, DeviceUpdateSchema, NewDeviceSchema, WeightSchema

blp = ApiBlueprint("devices", __name__, url_prefix="/api/v1",
                   description="Devices of a till: fiscal registrar, receipt printer, scale")


class SlipSchema(StrictSchema):
    """Text to print on the till's receipt printer: a card slip, a price tag."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=64))
    lines = fields.List(fields.String(validate=validate.Length(max=200)), required=True,
                        validate=validate.Length(max=200))


@blp.route("/tills/<int:till_id>/devices")
class TillDevices(MethodView):
    """The devices of a till."""

    @blp.requires(Right.MANAGE_DEVICES)
    @blp.response(200, DeviceSchema(many=True))
    def get(self, till_id: int) -> Any:
        """List the till's devices with what the device service sees of each now."""
        devices = service.till_devices(current_db(), till_id, authenticate())
        return views.with_status(current_settings(), till_id, devices)

    @blp.requires(Right.MANAGE_DEVICES)
    @blp.arguments(NewDeviceSchema)
    @blp.response(201, DeviceSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any], till_id: int) -> Any:
        """Attach a device to the till."""
        device = service.add_device(current_db(), till_id, data, current_clock().now(),
                                    authenticate())
        client.tell(current_settings(), {"op": "reload"})
        return views.row(device, None)


@blp.route("/devices/<int:device_id>")
class DeviceById(MethodView):
    """One device."""

    @blp.requires(Right.MANAGE_DEVICES)
    @blp.arguments(DeviceUpdateSchema)
    @blp.response(200, DeviceSchema)
    def patch(self, changes: dict[str, Any], device_id: int) -> Any:
        """Change a device's settings; the device service reopens it."""
        device = service.update_device(current_db(), device_id, changes, current_clock().now(),
                                       authenticate())
        client.tell(current_settings(), {"op": "reload"})
        return views.row(device, None)

    @blp.requires(Right.MANAGE_DEVICES)
    @blp.response(204)
    def delete(self, device_id: int) -> Any:
        """Detach a device; the device service closes its port."""
        service.remove_device(current_db(), device_id, authenticate())
        client.tell(current_settings(), {"op": "reload"})


@blp.route("/tills/<int:till_id>/scale/weight")
class ScaleWeight(MethodView):
    """The till's scale."""

    @blp.requires(Right.SELL)
    @blp.response(200, WeightSchema)
    @blp.alt_response(409, schema="Problem")
    @blp.alt_response(503, schema="Problem")
    def get(self, till_id: int) -> Any:
        """Read a stable weight now, or say why not (unstable, overload, absent...)."""
        views.check_till(till_id)
        return {"till_id": till_id, **client.weigh(current_settings(), till_id)}


@blp.route("/receipts/<int:receipt_id>/copy")
class ReceiptCopy(MethodView):
    """A receipt's non-fiscal copy."""

    @blp.requires(Right.SELL)
    @blp.response(202)
    @blp.alt_response(503, schema="Problem")
    def post(self, receipt_id: int) -> Any:
        """Print a copy of a closed receipt on its till's receipt printer."""
        till_id = views.receipt_till(receipt_id)
        client.ask(current_settings(), {"op": "print", "till_id": till_id,
                                        "what": "receipt_copy", "receipt_id": receipt_id})


@blp.route("/shifts/<int:shift_id>/x-report/print")
class PrintXReport(MethodView):
    """The X report on paper."""

    @blp.requires(Right.SELL)
    @blp.response(202)
    @blp.alt_response(503, schema="Problem")
    def post(self, shift_id: int) -> Any:
        """Print the X report: on the receipt printer, else the registrar's own."""
        views.print_x_report(shift_id)


@blp.route("/tills/<int:till_id>/printer/slip")
class PrintSlip(MethodView):
    """Slips and price tags."""

    @blp.requires(Right.SELL)
    @blp.arguments(SlipSchema)
    @blp.response(202)
    @blp.alt_response(503, schema="Problem")
    def post(self, data: dict[str, Any], till_id: int) -> Any:
        """Print a slip or a price tag on the till's receipt printer."""
        views.check_till(till_id)
        client.ask(current_settings(), {"op": "print", "till_id": till_id, "what": "text",
                                        "lines": [data["title"].upper(), *data["lines"], ""]})
