"""Manager approval: how a cashier's request may exceed the cashier's rights, once, audited.

A request that needs a right the cashier lacks is refused with 403 ``approval_required``.
Sent again with a manager's approval it succeeds, and the audit log records who asked and who
approved. The approval travels in one of two headers:

- ``X-Approval-Code``: a one-time code a manager issued (``POST /api/v1/auth/approvals``);
- ``X-Manager-Credentials``: ``username:password`` or ``username:PIN`` of a manager present.

The approval is checked and a code consumed inside the use case's own transaction, so a request
that fails for another reason leaves the code unused.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.auth.model import ApprovalCode, User
from pos.auth.service import check_throttle, record_failure
from pos.core import audit
from pos.core.db import Database
from pos.core.errors import ApprovalRequiredError, ForbiddenError
from pos.core.security import (
    Actor,
    Principal,
    Right,
    new_approval_code,
    token_digest,
    verify_secret,
)

APPROVAL_CODE_TTL = timedelta(minutes=10)
FREE_APPROVAL_FAILURES = 5


def authorize(
    session: Session, actor: Actor, right: Right, *, action: str, target: str, now: datetime,
    store_id: int | None = None, details: dict[str, Any] | None = None,
    shown: dict[str, Any] | None = None,
) -> int | None:
    """Let the actor exercise ``right``; return the approving manager's id if one was needed.

    With the right held, nothing is written. Without it, a valid approval is consumed and an
    audit entry names both users; with no approval, ``approval_required`` is raised, with
    ``shown`` among its fields (what the cashier may see of why: ``details`` may not be).
    """
    if actor.principal.can(right):
        return None
    if actor.approval is None:
        raise ApprovalRequiredError(
            f"{action} needs a manager's approval (right {right.value})",
            extra={**(shown or {}), "action": action, "right": right.value},
        )
    manager = _approving_manager(session, actor, right, action, now)
    audit.record(
        session, at=now, action=action, user_id=actor.user_id, target=target,
        approved_by_id=manager.id, store_id=store_id, details=details or {},
        client_address=actor.client_address,
    )
    return manager.id


def _approving_manager(
    session: Session, actor: Actor, right: Right, action: str, now: datetime
) -> User:
    approval = actor.approval
    assert approval is not None
    keys = [f"approval:{actor.user_id}"]
    check_throttle(session, keys, now)
    manager: User | None = None
    if approval.code is not None:
        code = session.scalar(
            select(ApprovalCode).where(ApprovalCode.code_hash == token_digest(approval.code))
        )
        if code is not None and code.can_approve(action, now):
            code.used_at, code.used_by_id = now, actor.user_id
            manager = code.manager
    else:
        candidate = session.scalar(select(User).where(User.username == approval.username))
        if candidate is not None and _secret_matches(candidate, approval.secret or ""):
            manager = candidate
    if manager is None or not (manager.can(Right.APPROVE) and manager.can(right)):
        record_failure(session, {key: FREE_APPROVAL_FAILURES for key in keys}, now)
        session.commit()  # keep the failure count although the request is refused
        raise ForbiddenError("The manager's approval is not valid for this action",
                             code="approval_invalid")
    return manager


def _secret_matches(user: User, secret: str) -> bool:
    if verify_secret(secret, user.password_hash):
        return True
    return user.pin_hash is not None and verify_secret(secret, user.pin_hash)


def issue_approval_code(db: Database, manager: Principal, action: str | None, now: datetime
                        ) -> str:
    """Issue a one-time approval code in a transaction of its own; return it in clear."""
    with db.transaction() as session:
        return issue_code(session, manager, action, now)


def issue_code(session: Session, manager: Principal, action: str | None, now: datetime) -> str:
    """Issue a one-time approval code (optionally only for ``action``); return it in clear."""
    if not manager.can(Right.APPROVE):
        raise ForbiddenError("Only managers issue approval codes", code="forbidden")
    code = new_approval_code()
    while session.scalar(select(ApprovalCode.id).where(
            ApprovalCode.code_hash == token_digest(code))) is not None:
        code = new_approval_code()
    session.add(ApprovalCode(
        code_hash=token_digest(code), manager_id=manager.user_id, action=action,
        created_at=now, expires_at=now + APPROVAL_CODE_TTL,
    ))
    audit.record(session, at=now, action="approval_code_issued", user_id=manager.user_id,
                 target=action or "any")
    return code

