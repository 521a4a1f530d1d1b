"""A holder signs in with the one-time code printed on a receipt made with their card."""

from __future__ import annotations

import hmac
import re
import threading
from datetime import timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from loyalty.cards import codes
from loyalty.cards.codes import HolderCodes, holder_codes
from loyalty.cards.model import Card, SignInCode
from pos.core.errors import UnauthorizedError
from pos.core.pan import holds_pan
from pos.core.security import token_digest
from tests.helpers import issue_card, problem

PRINTED = re.compile(r"[A-HJ-NP-Z]{1,14}-[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}")


def code_of(receipt):  # type: ignore[no-untyped-def]
    return [n["text"] for n in receipt["print_notes"] if n["kind"] == "holder_code"]


def sign_in(client, code):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/loyalty/me/sign-in/code", json={"code": code})


def sold_with(till, number):  # type: ignore[no-untyped-def]
    till.open_receipt()
    till.sell("MILK-1L")
    till.ok(till.api.put(f"/api/v1/receipts/{till.receipt['id']}/card",
                         json={"card_code": number}))
    till.pay_cash("100.00")
    return till.close()


def own_cards(client, signed):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {signed.get_json()['token']}"}
    return [c["number"] for c in client.get("/api/v1/loyalty/me/cards", headers=headers)
            .get_json()]


def installation_codes(app) -> HolderCodes:  # type: ignore[no-untyped-def]
    return holder_codes(app.extensions["pos.settings"].secret_key)


def used_codes(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(SignInCode)) or 0)


def test_a_holders_receipt_prints_a_code_that_signs_in_once(api, client, till, db):
    number = issue_card(api)
    till.open_shift()
    closed = sold_with(till, number)
    [code] = code_of(closed)
    assert PRINTED.fullmatch(code), code
    assert used_codes(db) == 0  # derived: the sale wrote nothing for it
    signed = sign_in(client, code.lower().replace("-", " "))  # as typed from the paper
    assert signed.status_code == 200, signed.get_json()
    assert own_cards(client, signed) == [number]
    assert problem(sign_in(client, code), 401)["code"] == "invalid_code"  # used
    with db.read() as session:  # its use is kept, by digest only
        [(digest, receipt_id)] = session.execute(
            select(SignInCode.digest, SignInCode.receipt_id)).all()
    assert (digest, receipt_id) == (token_digest(code.replace("-", "")), closed["id"])


def test_the_code_is_in_the_closing_answer_only(api, till):
    number = issue_card(api)
    till.open_shift()
    closed = sold_with(till, number)
    again = till.ok(till.api.get(f"/api/v1/receipts/{closed['id']}"))
    assert code_of(closed) and code_of(again) == []


def test_an_upload_with_the_card_prints_a_code_too(api, client, till):
    number = issue_card(api)
    till.open_shift()
    response = till.checkout([{"sku": "MILK-1L"}], [{"type": "cash", "amount": "100.00"}],
                             card_code=number)
    assert response.status_code == 201, response.get_json()
    [code] = code_of(response.get_json())
    assert own_cards(client, sign_in(client, code)) == [number]


def test_an_expired_code_is_refused(api, client, till, fixed_clock):
    number = issue_card(api)
    till.open_shift()
    [code] = code_of(sold_with(till, number))
    fixed_clock.advance(days=30)
    assert problem(sign_in(client, code), 401)["code"] == "invalid_code"


def test_a_code_changed_in_one_letter_or_moved_to_another_receipt_is_refused(
        api, client, till, app):
    number = issue_card(api)
    till.open_shift()
    first, second = sold_with(till, number), sold_with(till, number)
    [code] = code_of(first)
    head, mac = code.split("-", 1)
    changed = mac.replace(mac[-1], "A" if mac[-1] != "A" else "B")
    other_head = code_of(second)[0].split("-")[0]
    for wrong in (f"{head}-{changed}", f"{other_head}-{mac}", f"A{head}-{mac}", mac,
                  f"{head}-ÄÄÄÄÄ-ÄÄÄÄÄ", f"{head}-{mac[:-1]}1", f"{head}1-{mac}", "-" * 20):
        assert problem(sign_in(client, wrong), 401)["code"] == "invalid_code", wrong
    assert sign_in(client, code).status_code == 200  # the printed one still works


def test_only_a_recent_sale_with_a_holders_card_names_a_holder(api, client, till, app):
    """Codes the installation's key makes for receipts that print none sign nobody in."""
    book = installation_codes(app)
    number = issue_card(api)
    till.open_shift()
    till.open_receipt()
    till.sell("MILK-1L")
    till.pay_cash("100.00")
    cash_only = till.close()
    sale = sold_with(till, number)
    refund = till.ok(till.api.post("/api/v1/returns", json={
        "till_id": till.till_id, "original_receipt_id": sale["id"],
        "lines": [{"line_no": 1, "quantity": "1"}]}), 201)
    for receipt_id in (cash_only["id"], refund["id"], 10**9, 2**64):
        assert problem(sign_in(client, book.code_for(receipt_id)), 401)["code"] == "invalid_code"


def test_a_code_of_a_replaced_card_signs_its_holder_in_to_the_new_card(api, client, till):
    number = issue_card(api)
    till.open_shift()
    [code] = code_of(sold_with(till, number))
    new = api.as_("manager").post(f"/api/v1/loyalty/cards/{number}/replace", json={})
    assert new.status_code in (200, 201), new.get_json()
    new_number = new.get_json()["number"]
    assert new_number in own_cards(client, sign_in(client, code))


def test_a_code_stored_before_codes_were_derived_signs_in_once_until_it_expires(
        api, client, db, fixed_clock):
    number = issue_card(api)
    with db.transaction() as session:
        holder_id = session.scalar(select(Card.holder_id).where(Card.number == number))
        for code, receipt_id, days in (("K7QPM3XWZD", 1, 30), ("M3XWZDK7QP", 2, 0)):
            session.add(SignInCode(digest=token_digest(code), holder_id=holder_id,
                                   receipt_id=receipt_id, created_at=fixed_clock.now(),
                                   expires_at=fixed_clock.now() + timedelta(days=days),
                                   used_at=None))
    assert own_cards(client, sign_in(client, "k7qpm-3xwzd")) == [number]
    assert problem(sign_in(client, "K7QPM-3XWZD"), 401)["code"] == "invalid_code"
    assert problem(sign_in(client, "M3XWZ-DK7QP"), 401)["code"] == "invalid_code"  # expired


def test_two_uses_of_one_code_at_once_sign_in_once(api, till, db, app, fixed_clock):
    number = issue_card(api)
    till.open_shift()
    [code] = code_of(sold_with(till, number))
    book, outcomes = installation_codes(app), []
    start = threading.Barrier(2)

    def use(client: str) -> None:
        start.wait()
        try:
            codes.sign_in_with_code(db, book, code, client=client, now=fixed_clock.now())
            outcomes.append("signed in")
        except UnauthorizedError:
            outcomes.append("refused")

    threads = [threading.Thread(target=use, args=(f"10.0.0.{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused", "signed in"]
    assert used_codes(db) == 1


def test_guessing_codes_is_slowed_down(client):
    for guess in ["AAAAA-AAAAA"] * 5 + ["B-AAAAA-AAAAA"] * 5:  # both forms count
        assert problem(sign_in(client, guess), 401)["code"] == "invalid_code"
    blocked = sign_in(client, "BBBBB-BBBBB")
    assert problem(blocked, 429)["code"] == "too_many_attempts"
    assert int(blocked.headers["Retry-After"]) >= 1


def test_a_sale_without_a_registered_holder_prints_no_code(api, till):
    manager = api.as_("manager")
    issue_card(api)  # the type exists now
    blank = manager.post("/api/v1/loyalty/cards", json={"type": "REGULAR", "activate": True})
    number = blank.get_json()["cards"][0]["number"]
    till.open_shift()
    assert code_of(sold_with(till, number)) == []


@pytest.mark.parametrize("receipt_id", [0, 1, 23, 24, 575, 576, 2**31, 2**63 - 1])
def test_a_code_names_its_receipt_and_no_other(receipt_id):
    book, other = holder_codes("one key"), holder_codes("another key")
    code = book.code_for(receipt_id).replace("-", "")
    assert book.receipt_of(code) == receipt_id
    assert other.receipt_of(code) is None


def test_codes_already_printed_stay_the_codes_derived():
    # Codes on paper in customers' hands: the derivation may be made faster, never changed.
    book = holder_codes("k")
    assert [book.code_for(n) for n in (0, 1, 999, 2**40, 2**63 - 1)] == [
        "A-54FA7-AKKTF", "B-53P67-8L8EM", "BTR-KPZTN-QFPEQ", "KZTNBZKUS-8PFUC-293SK",
        "LNPHHCVZNKXAXH-Y8LGM-SLMVN"]


@given(st.binary(min_size=1, max_size=150), st.integers(min_value=0, max_value=2**63 - 1))
@example(b"k" * 64, 7)
@example(b"k" * 65, 7)
@example(bytes(range(150)), 2**63 - 1)
def test_a_code_is_the_hmac_of_its_receipt_whatever_the_keys_length(key, receipt_id):
    # The keyed states are hashed once; a key longer than SHA-256's block is hashed first.
    number = int.from_bytes(hmac.digest(key, b"receipt\0%d" % receipt_id, "sha256")[:8], "big")
    expected = "".join(codes.ALPHABET[(number >> shift) & 31] for shift in range(0, 50, 5))
    assert HolderCodes(key).code_for(receipt_id).split("-", 1)[1].replace("-", "") \
        == expected


def test_a_code_past_the_largest_receipt_id_names_none():
    book = holder_codes("one key")
    assert book.receipt_of(book.code_for(2**63).replace("-", "")) is None


@given(st.integers(min_value=0, max_value=2**64), st.text(min_size=1, max_size=20))
def test_a_code_is_never_taken_for_a_card_number(receipt_id, key):
    printed = holder_codes(key).code_for(receipt_id)
    assert PRINTED.fullmatch(printed)
    assert not holds_pan("code", printed) and not holds_pan("code", printed.replace("-", ""))


@given(st.text(max_size=40))
def test_any_text_typed_names_a_receipt_or_none_and_never_fails(text):
    found = holder_codes("one key").receipt_of(codes.normal(text))
    assert found is None or 0 <= found <= codes.MAX_RECEIPT_ID
