"""Manager approval: a cashier exceeds their rights once, and the audit log says who allowed it."""

import pytest
from sqlalchemy import select

from pos.auth.approval import authorize, issue_code
from pos.auth.model import User
from pos.auth.service import principal_of
from pos.core.audit import AuditEntry
from pos.core.errors import ApprovalRequiredError, ForbiddenError
from pos.core.security import Actor, Approval, Right
from tests.helpers import PASSWORDS


def principal(db, username):
    with db.read() as s:
        return principal_of(s.scalar(select(User).where(User.username == username)))


def act(db, fixed_clock, actor):
    with db.transaction() as s:
        return authorize(s, actor, Right.VOID_RECEIPT, action="void_receipt", target="receipt:7",
                         now=fixed_clock.now())


class TestAuthorize:
    def test_a_right_held_needs_no_approval(self, db, shop, fixed_clock):
        assert act(db, fixed_clock, Actor(principal(db, "manager"))) is None

    def test_without_approval_the_cashier_gets_approval_required(self, db, shop, fixed_clock):
        with pytest.raises(ApprovalRequiredError) as error:
            act(db, fixed_clock, Actor(principal(db, "cashier")))
        assert error.value.code == "approval_required"

    def test_manager_credentials_approve_and_are_audited(self, db, shop, fixed_clock):
        manager = principal(db, "manager")
        actor = Actor(principal(db, "cashier"), Approval(username="manager", secret="2222"))
        assert act(db, fixed_clock, actor) == manager.user_id
        with db.read() as s:
            entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "void_receipt"))
        assert entry.approved_by_id == manager.user_id
        assert entry.user_id == actor.user_id and entry.target == "receipt:7"

    def test_a_one_time_code_works_once(self, db, shop, fixed_clock):
        with db.transaction() as s:
            code = issue_code(s, principal(db, "manager"), "void_receipt", fixed_clock.now())
        actor = Actor(principal(db, "cashier"), Approval(code=code))
        assert act(db, fixed_clock, actor) is not None
        with pytest.raises(ForbiddenError) as error:
            act(db, fixed_clock, actor)
        assert error.value.code == "approval_invalid"

    def test_a_code_for_another_action_does_not_approve(self, db, shop, fixed_clock):
        with db.transaction() as s:
            code = issue_code(s, principal(db, "manager"), "cash_out", fixed_clock.now())
        with pytest.raises(ForbiddenError):
            act(db, fixed_clock, Actor(principal(db, "cashier"), Approval(code=code)))

    def test_an_expired_code_does_not_approve(self, db, shop, fixed_clock):
        with db.transaction() as s:
            code = issue_code(s, principal(db, "manager"), None, fixed_clock.now())
        fixed_clock.advance(minutes=11)
        with pytest.raises(ForbiddenError):
            act(db, fixed_clock, Actor(principal(db, "cashier"), Approval(code=code)))

    def test_a_cashier_cannot_approve_another_cashier(self, db, shop, fixed_clock):
        actor = Actor(principal(db, "cashier"),
                      Approval(username="cashier", secret=PASSWORDS["cashier"]))
        with pytest.raises(ForbiddenError):
            act(db, fixed_clock, actor)

    def test_guessing_approvals_is_slowed_down(self, db, shop, fixed_clock):
        actor = Actor(principal(db, "cashier"), Approval(username="manager", secret="0000"))
        codes = []
        for _ in range(7):
            try:
                act(db, fixed_clock, actor)
            except ForbiddenError as error:
                codes.append(error.code)
            except Exception as error:  # noqa: BLE001 - we record what kind of refusal it was
                codes.append(getattr(error, "code", type(error).__name__))
        assert codes[:5] == ["approval_invalid"] * 5
        assert "too_many_attempts" in codes[5:]

    def test_header_parsing(self):
        assert Approval.from_headers(None, "manager:2222") == Approval(username="manager",
                                                                       secret="2222")
        assert Approval.from_headers(" 12345678 ", None) == Approval(code="12345678")
        assert Approval.from_headers(None, None) is None


class TestApprovalAcrossStores:
    def test_a_manager_approves_only_in_the_stores_they_work_in(self, db, shop, fixed_clock):
        actor = Actor(principal(db, "cashier"), Approval(username="manager", secret="2222"))
        with pytest.raises(ForbiddenError) as error, db.transaction() as s:
            authorize(s, actor, Right.VOID_RECEIPT, action="void_receipt", target="receipt:7",
                      now=fixed_clock.now(), store_id=shop.other_store_id)
        assert error.value.code == "approval_invalid"
        with db.transaction() as s:
            assert authorize(s, actor, Right.VOID_RECEIPT, action="void_receipt",
                             target="receipt:7", now=fixed_clock.now(),
                             store_id=shop.store_id) is not None

    def test_one_code_serves_every_step_of_one_transaction_and_is_spent_once(
            self, db, shop, fixed_clock):
        with db.transaction() as s:
            code = issue_code(s, principal(db, "manager"), None, fixed_clock.now())
        actor = Actor(principal(db, "cashier"), Approval(code=code))
        with db.transaction() as s:
            first = authorize(s, actor, Right.VOID_RECEIPT, action="void_receipt",
                              target="receipt:7", now=fixed_clock.now())
            second = authorize(s, actor, Right.CASH_OUT, action="cash_out", target="shift:1",
                               now=fixed_clock.now())
        assert first == second == principal(db, "manager").user_id
        with db.read() as s:
            approved = s.scalars(select(AuditEntry.action).where(
                AuditEntry.approved_by_id == first).order_by(AuditEntry.id)).all()
        assert approved == ["void_receipt", "cash_out"]
        with pytest.raises(ForbiddenError):
            act(db, fixed_clock, actor)

    def test_a_code_for_one_action_does_not_stretch_to_another_in_the_same_transaction(
            self, db, shop, fixed_clock):
        with db.transaction() as s:
            code = issue_code(s, principal(db, "manager"), "void_receipt", fixed_clock.now())
        actor = Actor(principal(db, "cashier"), Approval(code=code))
        with pytest.raises(ForbiddenError), db.transaction() as s:
            authorize(s, actor, Right.VOID_RECEIPT, action="void_receipt", target="receipt:7",
                      now=fixed_clock.now())
            authorize(s, actor, Right.CASH_OUT, action="cash_out", target="shift:1",
                      now=fixed_clock.now())
