"""Check that FakeRegistrar behaves like a registrar for business tests."""

from __future__ import annotations

import datetime as dt

import pytest

from devices import DeviceConfig, errors, open_device
from devices.fiscal.base import FiscalRegistrar, ReceiptKind
from devices.fiscal.fake import Call, FakeRegistrar
from tests.devices.test_fiscal_shtrih import oat_milk_receipt


class FixedClock:
    """Tell a settable time."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, 0)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def fake_registrar(clock: FixedClock) -> FakeRegistrar:
    fake = FakeRegistrar(clock=clock)
    fake.open_shift("Ivanova")
    return fake


def test_fake_is_built_from_config_and_implements_the_interface() -> None:
    fake = open_device(DeviceConfig("fiscal", "fake"))
    assert isinstance(fake, FakeRegistrar) and isinstance(fake, FiscalRegistrar)


def test_receipts_get_consecutive_document_numbers_and_change(
    fake_registrar: FakeRegistrar,
) -> None:
    first = fake_registrar.register_receipt(oat_milk_receipt(cash_minor=30000))
    second = fake_registrar.register_receipt(oat_milk_receipt())
    assert (first.document_number, second.document_number) == (2, 3)
    assert first.change_minor == 30000 - (3 * 8990 - 100)
    assert fake_registrar.find_document(2).fiscal_sign == first.fiscal_sign


def test_scripted_paper_out_fails_the_next_call_only(fake_registrar: FakeRegistrar) -> None:
    fake_registrar.fail_next(errors.PaperOut())
    with pytest.raises(errors.PaperOut):
        fake_registrar.register_receipt(oat_milk_receipt())
    assert fake_registrar.receipts == []
    fake_registrar.register_receipt(oat_milk_receipt())
    assert len(fake_registrar.receipts) == 1


def test_replay_with_the_expected_number_returns_the_signed_document(
    fake_registrar: FakeRegistrar,
) -> None:
    signed = fake_registrar.register_receipt(oat_milk_receipt())
    again = fake_registrar.register_receipt(oat_milk_receipt(), expected_number=2)
    assert again == signed and len(fake_registrar.receipts) == 1


def test_shift_older_than_24_hours_blocks_sales(
    fake_registrar: FakeRegistrar, clock: FixedClock
) -> None:
    clock.now += dt.timedelta(hours=24, seconds=1)
    assert fake_registrar.status().shift_expired
    with pytest.raises(errors.ShiftExpired):
        fake_registrar.register_receipt(oat_milk_receipt())


def test_cash_follows_sales_returns_and_movements(fake_registrar: FakeRegistrar) -> None:
    fake_registrar.cash_in(10000)
    fake_registrar.register_receipt(oat_milk_receipt(lines=2))
    fake_registrar.register_receipt(oat_milk_receipt(lines=1, kind=ReceiptKind.RETURN))
    fake_registrar.cash_out(5000)
    assert fake_registrar.cash_minor == 10000 + (2 * 8990 - 100) - (8990 - 100) - 5000


def test_z_report_closes_the_shift_and_records_the_call(fake_registrar: FakeRegistrar) -> None:
    result = fake_registrar.z_report()
    assert result.shift_number == 1 and not fake_registrar.status().shift_open
    assert Call("z_report") in fake_registrar.calls
    with pytest.raises(errors.ShiftNotOpen):
        fake_registrar.cash_in(100)
