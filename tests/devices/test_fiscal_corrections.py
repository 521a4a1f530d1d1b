"""Correction receipts and the OFD backlog on the Shtrih driver against the emulator."""

from __future__ import annotations

from devices.fiscal.base import ReceiptKind
from devices.fiscal.shtrih_tables import Cmd


class TestCorrectionReceipts:
    def test_a_correction_is_signed_as_its_own_fiscal_document(self, registrar, shtrih_emulator):
        registrar.open_shift("Ivanova A.")
        result = registrar.correction_receipt(ReceiptKind.SALE, 12345)
        document = registrar.find_document(result.document_number)
        assert (document.kind, document.amount_minor, document.is_return) == (
            "correction", 12345, False)
        assert result.shift_number == 1
        assert shtrih_emulator.model.cash_minor == 12345

    def test_a_refund_correction_takes_cash_out(self, registrar, shtrih_emulator):
        registrar.open_shift("Ivanova A.")
        registrar.cash_in(50000)
        result = registrar.correction_receipt(ReceiptKind.RETURN, 20000)
        assert registrar.find_document(result.document_number).is_return is True
        assert shtrih_emulator.model.cash_minor == 30000

    def test_a_lost_answer_does_not_make_a_second_correction(self, registrar, shtrih_emulator):
        registrar.open_shift("Ivanova A.")
        shtrih_emulator.inject("lost_answer", int(Cmd.FN_CORRECTION))
        registrar.correction_receipt(ReceiptKind.SALE, 700)
        kinds = [d.kind for d in shtrih_emulator.model.documents]
        assert kinds == ["shift_open", "correction"]


class TestTheOfdBacklog:
    def test_documents_wait_while_the_ofd_is_offline(self, registrar, shtrih_emulator):
        registrar.open_shift("Ivanova A.")
        assert registrar.unsent_documents() == 0
        shtrih_emulator.model.ofd_offline = True
        registrar.correction_receipt(ReceiptKind.SALE, 100)
        registrar.correction_receipt(ReceiptKind.SALE, 200)
        assert registrar.unsent_documents() == 2
        assert registrar.find_document(2).ofd_acknowledged is False
        assert registrar.find_document(1).ofd_acknowledged is True
