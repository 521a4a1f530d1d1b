"""A request's JSON body is parsed once; a keyed retry is the same request by its document.

The idempotency fingerprint and the view's arguments read one parsed document; the query
string is part of the request (another ``?view=`` is another request); an API request without
the screens' cookie opens no signed session and is answered without one.
"""

import json
import uuid

import pytest

from pos.core import idempotency

UPLOAD = "/api/v1/receipts"
LINES = [{"sku": "OAT-MILK-1L", "quantity": "2"}]


@pytest.fixture
def upload(till):
    """A finished two-oat-milk receipt for the till's open shift, as a till uploads it."""
    till.open_shift()
    return {"till_id": till.till_id, "client_uuid": str(uuid.uuid4()), "lines": LINES,
            "payments": [{"type": "cash", "amount": "299.80"}]}


def send(till, body, key, path=UPLOAD):
    """POST ``body`` (a dict, sent as JSON, or the raw text) with an ``Idempotency-Key``."""
    text = body if isinstance(body, str) else json.dumps(body)
    return till.api.client.post(path, data=text, content_type="application/json",
                                headers=till.api.headers({"Idempotency-Key": key}))


def parses_of(body, monkeypatch):
    """Return a list that ``json.loads`` adds to whenever it parses ``body`` (text or bytes)."""
    loads, parsed = json.loads, []

    def counting(text, *args, **kwargs):
        if text in (body, body.encode()):
            parsed.append(text)
        return loads(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counting)
    return parsed


class TestTheSameDocument:
    def test_a_retry_in_other_whitespace_and_key_order_is_replayed(self, till, upload):
        first = send(till, json.dumps(upload, indent=4), "white-1")
        assert first.status_code == 201, first.get_json()
        reordered = dict(reversed(list(upload.items())))
        retry = send(till, json.dumps(reordered, separators=(",", ":")), "white-1")
        assert retry.status_code == 201
        assert retry.headers.get("Idempotent-Replayed") == "true"
        assert retry.get_json() == first.get_json()

    def test_a_retry_with_another_value_is_refused(self, till, upload):
        assert send(till, upload, "value-1").status_code == 201
        other = {**upload, "payments": [{"type": "cash", "amount": "300.00"}]}
        retry = send(till, other, "value-1")
        assert retry.status_code == 422
        assert retry.get_json()["code"] == "idempotency_key_reused"

    def test_the_body_is_parsed_once_for_the_key_and_the_view(self, till, upload, monkeypatch):
        body = json.dumps(upload)
        parsed = parses_of(body, monkeypatch)
        assert send(till, body, "once-1").status_code == 201
        assert len(parsed) == 1

    def test_a_body_the_card_number_guard_walks_is_parsed_once_too(self, till, upload,
                                                                   monkeypatch):
        # A 13-digit code passes the card-number check's first scan (Luhn), so the guard
        # walks the document: the one the view's arguments then read.
        upload["card_code"] = "4222222222222"
        body = json.dumps(upload)
        parsed = parses_of(body, monkeypatch)
        answer = send(till, body, "once-2")
        assert answer.get_json()["code"] == "unknown_card"  # guarded, then read by the view
        assert len(parsed) == 1

    def test_a_parsed_document_hashes_as_its_bytes_always_did(self):
        # Keys stored before the body was parsed once still match their retries.
        body = b'{"till_id": 1, "lines": [{"sku": "OAT-MILK-1L", "quantity": "2"}]}'
        assert (idempotency.document_fingerprint("POST", UPLOAD, json.loads(body))
                == idempotency.request_fingerprint("POST", UPLOAD, body))


class TestTheQuery:
    def test_a_retry_asking_another_view_is_refused_not_replayed_in_the_first_shape(
            self, till, upload):
        compact = send(till, upload, "view-1")
        assert compact.status_code == 201 and "lines" not in compact.get_json()
        full = send(till, upload, "view-1", path=f"{UPLOAD}?view=full")
        assert full.status_code == 422
        assert full.get_json()["code"] == "idempotency_key_reused"

    def test_a_retry_asking_the_same_view_is_replayed(self, till, upload):
        first = send(till, upload, "view-2", path=f"{UPLOAD}?view=full")
        assert first.status_code == 201 and first.get_json()["lines"]
        retry = send(till, upload, "view-2", path=f"{UPLOAD}?view=full")
        assert retry.headers.get("Idempotent-Replayed") == "true"
        assert retry.get_json() == first.get_json()


class TestNoJson:
    @pytest.mark.parametrize("key", [None, "oops-1"])
    def test_malformed_json_is_a_400_problem(self, till, upload, key):
        headers = till.api.headers({"Idempotency-Key": key} if key else {})
        for _ in range(2):  # a keyed retry is refused again, not replayed
            response = till.api.client.post(UPLOAD, data='{"till_id": 1,', headers=headers,
                                            content_type="application/json")
            assert response.status_code == 400
            assert response.mimetype == "application/problem+json"
            assert response.get_json()["code"] == "bad_request"
            assert "Idempotent-Replayed" not in response.headers

    def test_an_empty_keyed_body_is_refused_as_without_a_key(self, till, upload):
        unkeyed = till.api.client.post(UPLOAD, data="", content_type="application/json",
                                       headers=till.api.headers())
        keyed = send(till, "", "empty-1")
        assert keyed.status_code == unkeyed.status_code == 422
        assert keyed.get_json()["code"] == unkeyed.get_json()["code"]

    def test_a_body_that_is_no_json_hashes_as_its_text(self):
        assert (idempotency.request_fingerprint("POST", UPLOAD, b"{oops")
                != idempotency.request_fingerprint("POST", UPLOAD, b"{oops!"))
        assert (idempotency.request_fingerprint("POST", UPLOAD, b"")
                == idempotency.document_fingerprint("POST", UPLOAD, None))


class TestNoSession:
    def test_an_api_answer_without_a_cookie_sets_none(self, till, upload):
        response = send(till, upload, "cookie-1")
        assert response.status_code == 201
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")

    def test_a_request_without_the_cookie_opens_no_signed_session(self, app, till, upload,
                                                                   monkeypatch):
        serializers = []
        interface = app.session_interface
        make = interface.get_signing_serializer
        monkeypatch.setattr(interface, "get_signing_serializer",
                            lambda app: serializers.append(app) or make(app))
        assert send(till, upload, "cookie-2").status_code == 201
        assert serializers == []


class TestTextThatIsNoCharacters:
    """A lone surrogate (a JSON escape of a UTF-16 half outside a pair) is refused."""

    def test_in_a_quote_it_is_a_problem_naming_the_field(self, till):
        answer = till.api.client.post(
            "/api/v1/receipts/quote", headers=till.api.headers(),
            data=f'{{"till_id": {till.till_id}, "lines": [{{"sku": "OAT\\ud800"}}]}}',
            content_type="application/json")
        assert answer.status_code == 422, answer.get_json()
        problem = answer.get_json()
        assert problem["code"] == "invalid_text"
        assert "lines/0/sku" in json.dumps(problem)

    def test_in_a_keyed_upload_it_writes_nothing(self, till, upload, db):
        text = json.dumps(upload)[:-1] + ', "customer_ref": "\\udfff"}'
        answer = send(till, text, "lone-1")
        assert answer.status_code == 422 and answer.get_json()["code"] == "invalid_text"
        assert till.api.get(f"/api/v1/receipts?till={till.till_id}").get_json()["total"] == 0
        retry = send(till, upload, "lone-1")  # the key was not taken by the refusal
        assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers

    def test_in_a_key_it_is_refused_too(self, till, upload):
        text = json.dumps(upload)[:-1] + ', "\\ud800": 1}'
        answer = send(till, text, "lone-2")
        assert answer.status_code == 422 and answer.get_json()["code"] == "invalid_text"

    def test_a_pair_is_one_character_and_is_taken(self, till, upload):
        text = json.dumps(upload)[:-1] + ', "customer_ref": "\\ud83d\\ude00"}'
        answer = send(till, text, "pair-1")
        assert answer.status_code == 201, answer.get_json()

    def test_a_card_number_as_a_key_beside_one_is_refused_as_a_card_number(self, client):
        for text in ('{"username": "a", "password": "b", "4111111111111111": "\\ud800"}',
                     '{"note": {"4111 1111 1111 1111": {"x": "\\udc00"}}}'):
            answer = client.post("/api/v1/auth/login", data=text,
                                 content_type="application/json")
            assert answer.get_json()["code"] == "card_number_rejected"
            assert b"4111" not in answer.data


class TestNesting:
    @pytest.mark.parametrize("depth", [500, 5000, 100_000])
    def test_a_body_nested_hundreds_deep_is_refused_not_an_error(self, client, depth):
        for inner in ("1", '"4111111111111111"'):
            text = '{"username": "a", "password": "b", "x": ' + "[" * depth + inner \
                + "]" * depth + "}"
            answer = client.post("/api/v1/auth/login", data=text,
                                 content_type="application/json")
            assert answer.status_code == 422, answer.get_json()
            assert answer.get_json()["code"] in ("too_deep", "card_number_rejected")
            assert b"4111" not in answer.data
