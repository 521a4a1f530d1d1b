"""The rules a shift keeps, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pos.core.errors import ConflictError
from pos.shifts.model import Shift, refuse_if_expired

OPENED = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _shift() -> Shift:
    return Shift(id=1, till_id=1, open_till_id=1, state="open", opened_at=OPENED,
                 opening_float_minor=10000)


class TestShift:
    def test_a_shift_expires_after_24_hours(self):
        refuse_if_expired(OPENED, OPENED + timedelta(hours=24))
        with pytest.raises(ConflictError) as error:
            refuse_if_expired(OPENED, OPENED + timedelta(hours=24, seconds=1))
        assert error.value.code == "shift_expired"

    def test_closing_records_the_difference_and_frees_the_till(self):
        shift = _shift()
        assert shift.close(9950, 10000, by_id=2, now=OPENED, is_blind=True) == -50
        assert (shift.state, shift.open_till_id) == ("closed", None)
        with pytest.raises(ConflictError) as error:
            shift.close(1, 1, by_id=2, now=OPENED, is_blind=False)
        assert error.value.code == "shift_closed"

    def test_cash_out_above_expected_cash_is_refused(self):
        with pytest.raises(ConflictError) as error:
            _shift().ensure_can_pay_out(10001, 10000)
        assert error.value.code == "insufficient_cash"
        assert (error.value.errors.keys(), error.value.extra) == (
            {"amount"}, {"expected_cash_minor": 10000})

    def test_cash_refund_above_expected_cash_is_refused_the_same_way(self):
        _shift().ensure_can_pay_out(10000, 10000, is_refund=True)
        with pytest.raises(ConflictError) as error:
            _shift().ensure_can_pay_out(10001, 10000, is_refund=True)
        assert error.value.code == "insufficient_cash"
        assert (error.value.errors, error.value.extra) == ({}, {"cash_refund_minor": 10001})
