"""Request and response schemas of the auth feature."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pos.core.schemas import Id, Int, PageArgs, StrictSchema
from pos.core.security import Right, Role


def _id() -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=2**63 - 1))


class LoginSchema(StrictSchema):
    """Credentials to sign in with."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200),
                             load_only=True)


class UserSchema(Schema):
    """A user as others see it (never a hash)."""

    id = Id()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    user_group = fields.String(allow_none=True)
    rights = fields.Method("_rights")
    is_active = fields.Boolean()
    store_ids = fields.Method("_store_ids", metadata={
        "description": "The stores the user works in; null for admins, who see every store"})
    till_ids = fields.Method("_till_ids", metadata={
        "description": "The tills a cashier is assigned to (none: any till of their stores "
                       "for opening a shift)"})

    def _rights(self, obj: object) -> list[str]:
        return sorted(r.value for r in getattr(obj, "rights", ()))

    def _store_ids(self, obj: object) -> list[int] | None:
        if getattr(obj, "role", None) == Role.ADMIN:
            return None
        return sorted(getattr(obj, "store_ids", None) or ())

    def _till_ids(self, obj: object) -> list[int]:
        return sorted(getattr(obj, "till_ids", None) or ())


class TokenSchema(Schema):
    """A freshly issued bearer token."""

    token = fields.String()
    token_type = fields.String(dump_default="Bearer")
    expires_at = fields.DateTime()
    user = fields.Nested(UserSchema)


class NewUserSchema(StrictSchema):
    """What an admin sends to create a user."""

    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{2,64}$"))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    pin = fields.String(load_default=None, load_only=True)
    user_group = fields.String(load_default=None, validate=validate.Length(max=64))
    extra_rights = fields.List(fields.String(validate=validate.OneOf([r.value for r in Right])),
                               load_default=list)
    store_ids = fields.List(_id(), load_default=list, metadata={
        "description": "The stores the user works in (admins see every store anyway)"})
    till_ids = fields.List(_id(), load_default=list, metadata={
        "description": "Tills of those stores a cashier is assigned to"})


class PlacesSchema(StrictSchema):
    """Where a user works: their stores, and the tills of those a cashier is assigned to."""

    store_ids = fields.List(_id(), required=True)
    till_ids = fields.List(_id(), load_default=list)


class PasswordSchema(StrictSchema):
    """A new password."""

    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))


class ApprovalRequestSchema(StrictSchema):
    """A manager asks for a one-time approval code, optionally for one action or till only."""

    action = fields.String(load_default=None, validate=validate.Length(max=64))
    till_id = Id(load_default=None, metadata={
        "description": "the till it is for: at any other it approves nothing (404 "
                       "till_not_found for a till outside the manager's stores)"})


class ApprovalCodeSchema(Schema):
    """A one-time approval code to read out to the cashier."""

    code = fields.String()
    action = fields.String(allow_none=True)
    till_id = Id(allow_none=True)
    expires_in_s = Int(0)


class AuditQuerySchema(PageArgs):
    """Filters of the audit log."""

    action = fields.String(load_default=None)
    user_id = Id(load_default=None)
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)


class AuditEntrySchema(Schema):
    """One audit log line."""

    id = Id()
    at = fields.DateTime()
    user_id = Id(allow_none=True)
    action = fields.String()
    target = fields.String(allow_none=True)
    approved_by_id = Id(allow_none=True)
    store_id = Id(allow_none=True)
    details = fields.Dict()
    client_address = fields.String(allow_none=True)
