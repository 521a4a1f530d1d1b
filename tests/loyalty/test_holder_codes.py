"""A holder signs in with the one-time code printed on a receipt made with their card."""

from __future__ import annotations

from sqlalchemy import select

from loyalty.cards.model import SignInCode
from tests.helpers import issue_card, problem


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


def test_a_holders_receipt_prints_a_code_that_signs_in_once(api, client, till, db):
    number = issue_card(api)
    till.open_shift()
    [code] = code_of(sold_with(till, number))
    assert len(code) == 11 and code[5] == "-"
    signed = sign_in(client, code.lower().replace("-", " "))  # as typed from the paper
    assert signed.status_code == 200, signed.get_json()
    headers = {"Authorization": f"Bearer {signed.get_json()['token']}"}
    assert [c["number"] for c in client.get("/api/v1/loyalty/me/cards", headers=headers)
            .get_json()] == [number]
    assert problem(sign_in(client, code), 401)["code"] == "invalid_code"  # used
    with db.read() as session:  # only the digest is kept
        assert code.replace("-", "") not in session.scalar(select(SignInCode.digest))


def test_the_code_is_in_the_closing_answer_only(api, till):
    number = issue_card(api)
    till.open_shift()
    closed = sold_with(till, number)
    again = till.ok(till.api.get(f"/api/v1/receipts/{closed['id']}"))
    assert code_of(closed) and code_of(again) == []


def test_an_upload_with_the_card_prints_a_code_too(api, till):
    number = issue_card(api)
    till.open_shift()
    response = till.checkout([{"sku": "MILK-1L"}], [{"type": "cash", "amount": "100.00"}],
                             card_code=number)
    assert response.status_code == 201, response.get_json()
    assert len(code_of(response.get_json())) == 1


def test_an_expired_code_is_refused(api, client, till, fixed_clock):
    number = issue_card(api)
    till.open_shift()
    [code] = code_of(sold_with(till, number))
    fixed_clock.advance(days=31)
    assert problem(sign_in(client, code), 401)["code"] == "invalid_code"


def test_guessing_codes_is_slowed_down(client):
    for _ in range(10):
        assert problem(sign_in(client, "AAAAA-AAAAA"), 401)["code"] == "invalid_code"
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
