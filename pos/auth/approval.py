"""Manager approval: how a cashier's request may exceed the cashier's rights, once, audited.

A request that needs a right the cashier lacks is refused with 403 ``approval_required``.
Sent again with a manager's approval it succeeds, and the audit log records who asked and who
approved. The approval travels in one of two headers:

- ``X-Approval-Code``: a one-time code a manager issued (``POST /api/v1/auth/approvals``);
- ``X-Manager-Credentials``: ``username:password`` or ``username:PIN`` of a manager present.

The approval is checked and a code consumed inside the use case's own transaction, so a request
that fails for another reason leaves the code unused. Within that transaction one approval
serves every step that asks for it (a close of another's shift that is also short): a one-time
code is spent once, and each step is still checked against the manager's rights and audited.

What lies outside the cashier's scope (another store, another cashier's till: see
``pos.core.scope``) is 404 for them, unless the request carries the approval of a manager who
works in that store (:func:`admit`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.auth.model import ApprovalCode, User
from pos.auth.service import principal_of
from pos.core import audit
from pos.core.db import Database
from pos.core.errors import ApprovalRequiredError, ForbiddenError, NotFoundError, PosError
from pos.core.scope import Place, sees_store, works_at
from pos.core.security import (
    Actor,
    Principal,
    Right,
    new_approval_code,
    token_digest,
    verify_secret,
)
from pos.core.throttle import check_throttle, record_failure
from pos.stores.model import Till

APPROVAL_CODE_TTL = timedelta(minutes=10)
FREE_APPROVAL_FAILURES = 5
_GIVEN = "pos.approvals_given"  # session.info key: approval -> (manager id, action it covers)


def authorize(
    session: Session, actor: Actor, right: Right, *, action: str, target: str, now: datetime,
    store_id: int | None = None, till_id: int | None = None,
    details: dict[str, Any] | None = None, shown: dict[str, Any] | None = None,
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
    return approve(session, actor, right, action=action, target=target, now=now,
                   store_id=store_id, till_id=till_id, details=details)


def admit(
    session: Session, actor: Actor, place: Place, *, action: str, target: str, now: datetime,
    not_found: PosError, made_by_id: int | None = None,
) -> int | None:
    """Let the actor act at ``place``; return the approving manager's id if one was needed.

    In scope, on their own document (``made_by_id`` theirs or None), nothing is asked; on
    another's, the right to manage others' shifts or an approval (403 ``approval_required``).
    Outside their scope, ``not_found`` (see :func:`outside_scope`).
    """
    if not works_at(actor.principal, place):
        return outside_scope(session, actor, place.store_id, action=action, target=target,
                             now=now, not_found=not_found, till_id=place.till_id)
    if made_by_id is None or made_by_id == actor.user_id:
        return None
    return authorize(session, actor, Right.MANAGE_OTHERS_SHIFTS, action=action, target=target,
                     now=now, store_id=place.store_id, till_id=place.till_id)


def outside_scope(
    session: Session, actor: Actor, store_id: int, *, action: str, target: str, now: datetime,
    not_found: PosError, till_id: int | None = None,
) -> int:
    """Act outside the actor's scope: raise ``not_found`` (404) unless a manager approves.

    The approving manager manages others' shifts and works in ``store_id``; audited.
    """
    if actor.approval is None:
        raise not_found
    return approve(session, actor, Right.MANAGE_OTHERS_SHIFTS, action=action, target=target,
                   now=now, store_id=store_id, till_id=till_id)


def approve(
    session: Session, actor: Actor, right: Right, *, action: str, target: str, now: datetime,
    store_id: int | None = None, till_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Check the request's approval for ``right`` in ``store_id`` at ``till_id``; audit.

    Return the approving manager's id. A code issued for one till approves nothing at another.
    """
    manager = _approving_manager(session, actor, right, action, now, store_id, till_id)
    audit.record(
        session, at=now, action=action, user_id=actor.user_id, target=target,
        approved_by_id=manager.id, store_id=store_id, details=details or {},
        client_address=actor.client_address,
    )
    return manager.id


def _approving_manager(
    session: Session, actor: Actor, right: Right, action: str, now: datetime,
    store_id: int | None, till_id: int | None,
) -> User:
    keys = [f"approval:{actor.user_id}"]
    check_throttle(session, keys, now)
    manager = _approver(session, actor, action, now, till_id)
    if manager is None or not _may_approve(manager, right, store_id):
        record_failure(session, {key: FREE_APPROVAL_FAILURES for key in keys}, now)
        session.commit()  # keep the failure count although the request is refused
        raise ForbiddenError("The manager's approval is not valid for this action",
                             code="approval_invalid")
    return manager


def _approver(session: Session, actor: Actor, action: str, now: datetime,
              till_id: int | None) -> User | None:
    approval = actor.approval
    assert approval is not None
    given = session.info.setdefault(_GIVEN, {})
    if approval in given:  # checked earlier in this transaction (a code is spent by then)
        manager_id, covers, at_till = given[approval]
        if covers not in (None, action) or at_till not in (None, till_id):
            return None
        return session.get(User, manager_id)
    manager, covers, at_till = None, None, None
    if approval.code is not None:
        code = session.scalar(
            select(ApprovalCode).where(ApprovalCode.code_hash == token_digest(approval.code))
        )
        if code is not None and code.can_approve(action, now, till_id):
            code.used_at, code.used_by_id = now, actor.user_id
            manager, covers, at_till = code.manager, code.action, code.till_id
    else:
        candidate = session.scalar(select(User).where(User.username == approval.username))
        if candidate is not None and _secret_matches(candidate, approval.secret or ""):
            manager = candidate
    if manager is not None:
        given[approval] = (manager.id, covers, at_till)
    return manager


def _may_approve(manager: User, right: Right, store_id: int | None) -> bool:
    if not (manager.can(Right.APPROVE) and manager.can(right)):
        return False
    return store_id is None or sees_store(principal_of(manager), store_id)


def _secret_matches(user: User, secret: str) -> bool:
    if verify_secret(secret, user.password_hash):
        return True
    return user.pin_hash is not None and verify_secret(secret, user.pin_hash)


def issue_approval_code(db: Database, manager: Principal, action: str | None, now: datetime,
                        till_id: int | None = None) -> str:
    """Issue a one-time approval code in a transaction of its own; return it in clear."""
    with db.transaction() as session:
        return issue_code(session, manager, action, now, till_id)


def issue_code(session: Session, manager: Principal, action: str | None, now: datetime,
               till_id: int | None = None) -> str:
    """Issue a one-time approval code (optionally only for ``action``, or at ``till_id``).

    Return it in clear. A till outside the manager's stores is 404 ``till_not_found``, as if
    it did not exist.
    """
    if not manager.can(Right.APPROVE):
        raise ForbiddenError("Only managers issue approval codes", code="forbidden")
    if till_id is not None:
        till = session.get(Till, till_id)
        if till is None or not sees_store(manager, till.store_id):
            raise NotFoundError(f"No till {till_id}", code="till_not_found", field="till_id")
    code = new_approval_code()
    while session.scalar(select(ApprovalCode.id).where(
            ApprovalCode.code_hash == token_digest(code))) is not None:
        code = new_approval_code()
    session.add(ApprovalCode(
        code_hash=token_digest(code), manager_id=manager.user_id, action=action,
        till_id=till_id, created_at=now, expires_at=now + APPROVAL_CODE_TTL,
    ))
    audit.record(session, at=now, action="approval_code_issued", user_id=manager.user_id,
                 target=action or "any", details={"till_id": till_id} if till_id else {})
    return code

