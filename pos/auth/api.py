"""HTTP endpoints of sign-in, users, approvals and the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import request
from flask.views import MethodView

from pos.auth import service
from pos.auth.approval import APPROVAL_CODE_TTL, issue_approval_code
from pos.auth.audit_query import list_audit
from pos.auth.schemas import (
    ApprovalCodeSchema,
    ApprovalRequestSchema,
    AuditEntrySchema,
    AuditQuerySchema,
    LoginSchema,
    NewUserSchema,
    PasswordSchema,
    PlacesSchema,
    TokenSchema,
    UserSchema,
)
from pos.core.schemas import page_of
from pos.core.security import Right
from pos.core.web import (
    ApiBlueprint,
    authenticate,
    client_address,
    current_clock,
    current_db,
    current_settings,
    current_tokens,
    idempotent,
)

blp = ApiBlueprint("auth", __name__, url_prefix="/api/v1", description="Sign-in, users, "
                   "manager approvals and the audit log")


@blp.route("/auth/login")
class Login(MethodView):
    """Sign in."""

    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, schema="Problem")
    @blp.alt_response(429, schema="Problem")
    def post(self, creds: dict[str, Any]) -> dict[str, Any]:
        """Exchange a user name and password for a bearer token."""
        settings = current_settings()
        result = service.login(
            current_db(), creds["username"], creds["password"], client=client_address(),
            now=current_clock().now(), ttl=timedelta(hours=settings.token_ttl_hours),
            free_failures=settings.login_max_failures,
            free_address_failures=settings.login_max_address_failures,
        )
        return {"token": result.token, "expires_at": result.expires_at,
                "user": result.principal}


@blp.route("/auth/logout")
class Logout(MethodView):
    """Sign out."""

    @blp.requires()
    @blp.response(204)
    def post(self) -> None:
        """Revoke the bearer token this request carries."""
        token = request.headers["Authorization"].partition(" ")[2].strip()
        service.logout(current_db(), current_tokens(), token, current_clock().now())


@blp.route("/auth/me")
class Me(MethodView):
    """The signed-in user."""

    @blp.requires()
    @blp.response(200, UserSchema)
    def get(self) -> Any:
        """Return who the bearer token belongs to, with their rights."""
        return authenticate()


@blp.route("/auth/approvals")
class Approvals(MethodView):
    """One-time manager approval codes."""

    @blp.requires(Right.APPROVE)
    @blp.arguments(ApprovalRequestSchema)
    @blp.response(201, ApprovalCodeSchema)
    @blp.alt_response(404, schema="Problem")
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Issue a code that lets a cashier exceed their rights once (valid 10 minutes)."""
        code = issue_approval_code(current_db(), authenticate(), args["action"],
                                   current_clock().now(), args["till_id"])
        return {"code": code, "action": args["action"], "till_id": args["till_id"],
                "expires_in_s": int(APPROVAL_CODE_TTL.total_seconds())}


@blp.route("/users")
class Users(MethodView):
    """Users."""

    @blp.requires(Right.MANAGE_USERS)
    @blp.response(200, UserSchema(many=True))
    def get(self) -> Any:
        """List users."""
        return service.list_users(current_db())

    @idempotent
    @blp.requires(Right.MANAGE_USERS)
    @blp.arguments(NewUserSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a user."""
        cmd = service.NewUser(**{**data, "extra_rights": tuple(data["extra_rights"]),
                                 "store_ids": tuple(data["store_ids"]),
                                 "till_ids": tuple(data["till_ids"])})
        return service.create_user(current_db(), cmd, now=current_clock().now(),
                                   actor_id=authenticate().user_id)


@blp.route("/users/<string:username>/stores")
class UserPlaces(MethodView):
    """Where a user works."""

    @blp.requires(Right.MANAGE_USERS)
    @blp.arguments(PlacesSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(404, schema="Problem")
    def put(self, data: dict[str, Any], username: str) -> Any:
        """Replace the stores a user works in and the tills a cashier is assigned to."""
        return service.assign_places(current_db(), username, data["store_ids"],
                                     data["till_ids"], now=current_clock().now(),
                                     actor_id=authenticate().user_id, tokens=current_tokens())


@blp.route("/users/<string:username>/password")
class UserPassword(MethodView):
    """A user's password."""

    @blp.requires(Right.MANAGE_USERS)
    @blp.arguments(PasswordSchema)
    @blp.response(204)
    def put(self, data: dict[str, Any], username: str) -> None:
        """Set a user's password; their tokens are revoked."""
        service.set_password(current_db(), username, data["password"],
                             now=current_clock().now(), actor_id=authenticate().user_id,
                             tokens=current_tokens())


@blp.route("/audit")
class Audit(MethodView):
    """The audit log."""

    @blp.requires(Right.VIEW_AUDIT)
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, page_of(AuditEntrySchema, "AuditPage"))
    def get(self, query: dict[str, Any]) -> Any:
        """List audit entries, newest first."""
        return list_audit(current_db(), **query, viewer=authenticate())
