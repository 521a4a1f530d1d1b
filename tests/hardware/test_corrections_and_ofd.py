"""A registrar's day beyond receipts: correction receipts and the OFD backlog."""

from __future__ import annotations

from devices.fiscal.shtrih_tables import Cmd
from pos.journal.service import verify
from tests.hardware.conftest import wait_until
from tests.hardware.fiscal_day import drain, journal, sell
from tests.helpers import problem

CORRECTION = {"operation": "sale", "amount": "150.00", "cash": "150.00",
              "reason": "registrar broken 10:00-10:20, sale written by hand",
              "reference": "act 7"}


def _correct(till, **changes):
    return till.api.as_("manager").post("/api/v1/fiscal/corrections",
                                        json={"till_id": till.till_id, **CORRECTION, **changes})


class TestCorrectionReceipts:
    def test_a_correction_is_journaled_and_signed_once_in_journal_order(
            self, db, registry, till, device_service, attached):
        till.open_shift("100.00")
        sell(till)
        correction = till.ok(_correct(till), 201)
        sell(till)
        attached["fiscal"].inject("lost_answer", int(Cmd.FN_CORRECTION))
        done = drain(device_service, db, till.till_id)
        assert [e.kind for e in journal(db, till.till_id)] == ["sale", "correction", "sale"]
        kinds = [d.kind for d in attached["fiscal"].model.documents]
        assert kinds == ["shift_open", "receipt", "correction", "receipt"]
        row = next(r for r in done if r.kind == "correction")
        assert (row.number, row.device_number) == (correction["number"], 3)
        assert verify(db, registry.journal_checks, till.till_id).tills[0].is_intact

    def test_a_cashier_may_not_register_a_correction(self, till):
        till.open_shift("100.00")
        response = till.api.post("/api/v1/fiscal/corrections",
                                 json={"till_id": till.till_id, **CORRECTION})
        assert problem(response, 403)["code"] == "forbidden"

    def test_a_correction_needs_an_open_shift_and_a_sane_amount(self, till):
        assert problem(_correct(till), 409)["code"] == "shift_not_open"
        till.open_shift("100.00")
        assert problem(_correct(till, cash="200.00"), 422)["code"] == "invalid_amount"


class TestTheOfdBacklog:
    def test_the_till_status_shows_documents_not_yet_sent_to_the_ofd(
            self, db, api, till, device_service, attached):
        attached["fiscal"].model.ofd_offline = True
        till.open_shift("100.00")
        sell(till)
        drain(device_service, db, till.till_id)

        def unsent():
            devices = api.as_("manager").get(f"/api/v1/tills/{till.till_id}/devices").get_json()
            status = next(d for d in devices if d["kind"] == "fiscal")["status"]
            return status.get("unsent_documents")

        assert wait_until(lambda: unsent() == 2)  # the shift's opening and the sale
