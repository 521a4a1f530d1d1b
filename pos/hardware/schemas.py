"""Schemas of till devices and their live status."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pos.core.schemas import MAX_ID, Boolean, Id, Int, StrictSchema
from pos.hardware.model import KINDS


class _Settings(StrictSchema):
    url = fields.String(validate=validate.Length(min=1, max=300), metadata={
        "description": "pyserial URL: /dev/ttyUSB0, socket://host:port, a pty path"})
    baudrate = Int(1200, 115200, validate=validate.OneOf(
        (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)))
    bytesize = Int(7, 8)
    parity = fields.String(validate=validate.OneOf(("N", "E", "O")))
    stopbits = Int(1, 2)
    timeout_ms = Int(10, 60000)
    write_timeout_ms = Int(10, 60000)
    retries = Int(0, 10)
    password = Int(0, 99999999, allow_none=True, load_only=True)
    profile = fields.String(allow_none=True, validate=validate.Length(max=64))
    min_weight_g = Int(0, 100000, allow_none=True)
    options = fields.Dict(keys=fields.String(validate=validate.Length(max=64)))
    is_enabled = Boolean()


class NewDeviceSchema(_Settings):
    """A device to attach to a till."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    protocol = fields.String(required=True, validate=validate.Length(min=1, max=16))


class DeviceUpdateSchema(_Settings):
    """Changes to a device's settings."""

    protocol = fields.String(validate=validate.Length(min=1, max=16))


class DeviceStatusSchema(Schema):
    """What the device service last saw of a device."""

    online = fields.Boolean()
    paper = fields.String(metadata={"description": "ok, near_end, out or unknown"})
    shift_state = fields.String(allow_none=True,
                                metadata={"description": "open, closed or expired (registrar)"})
    shift_number = Int(0, MAX_ID, allow_none=True)
    last_document_number = Int(0, MAX_ID, allow_none=True)
    unsent_documents = Int(0, MAX_ID, allow_none=True,
                                      metadata={"description": "not yet sent to the OFD"})
    last_error = fields.String(allow_none=True)
    last_error_code = fields.String(allow_none=True)
    checked_at = fields.String(allow_none=True)


class DeviceSchema(Schema):
    """A till's device, its settings (never its password) and its live status."""

    id = Id()
    till_id = Id()
    kind = fields.String()
    protocol = fields.String()
    url = fields.String()
    baudrate = Int(1200, 115200)
    bytesize = Int(7, 8)
    parity = fields.String()
    stopbits = Int(1, 2)
    timeout_ms = Int(10, 60000)
    write_timeout_ms = Int(10, 60000)
    retries = Int(0, 10)
    has_password = fields.Boolean()
    profile = fields.String(allow_none=True)
    min_weight_g = Int(0, 100000, allow_none=True)
    options = fields.Dict()
    is_enabled = fields.Boolean()
    status = fields.Nested(DeviceStatusSchema, allow_none=True)


class WeightSchema(Schema):
    """A stable weight the scale accepted."""

    till_id = Id()
    net_kg = fields.String(metadata={"description": "kilograms, 3 decimals"})
    tare_kg = fields.String(allow_none=True)
    is_stable = fields.Boolean()
