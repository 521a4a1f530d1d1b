"""The card-number rule: what counts as one, what is exempt, where it is, how it is masked."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from pos.core import pan
from pos.server import MaskingLogger

LUHN_EAN = "4600000000060"  # a valid EAN-13 that passes the Luhn check as well


class TestWhatIsACardNumber:
    @pytest.mark.parametrize("text", [
        "4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111",
        "4111.1111.1111.1111", "4111/1111/1111/1111", "paid by 4111\t1111 1111-1111 ok",
        "4111  1111 -1111 1111",
        "4111111111111111.0", "card 4111 1111 1111 1111 12/28", "x378282246310005y",
        "\uff14111111111111111",  # a full-width first digit is still a digit
        "1" * 20,  # longer than any card: refused whole
    ])
    def test_card_numbers_in_any_separator_style_are_recognised(self, text):
        assert pan.looks_like_pan(text)

    @pytest.mark.parametrize("text", [
        "4111111111111112", "123456789012", "2026-11-22", "+7 912 345-67-89", "12.30",
        "192.168.100.200", "4111   1111   1111   1111 is three spaces apart", "T-000123",
    ])
    def test_dates_phones_amounts_and_failing_numbers_are_not(self, text):
        assert not pan.looks_like_pan(text)


class TestExemptions:
    @pytest.mark.parametrize("key", ["code", "barcode", "sku", "q", "card_code", "barcodes"])
    def test_a_gs1_code_passing_luhn_is_a_barcode_under_a_code_key(self, key):
        assert pan.looks_like_pan(LUHN_EAN)
        assert not pan.holds_pan(key, LUHN_EAN)
        # a wrong check digit is the catalog's to refuse (invalid_check_digit), not a card
        assert not pan.holds_pan(key, "4600000000003")

    def test_the_same_digits_elsewhere_are_a_card_number(self):
        assert pan.holds_pan("note", LUHN_EAN)
        assert pan.holds_pan(None, LUHN_EAN)

    def test_a_card_number_under_a_code_key_is_still_refused(self):
        assert pan.holds_pan("code", "4111111111111111")
        assert pan.holds_pan("code", "4222 2222 2222 2")  # not plain digits: not a barcode

    def test_a_uuid_is_never_a_card_number(self):
        digits_only = "41111111-1111-4111-8111-111111111111"
        assert pan.looks_like_pan(digits_only)
        assert not pan.holds_pan("client_uuid", digits_only)
        assert pan.holds_pan("client_uuid", "4111111111111111")

    def test_numbers_are_checked_like_strings(self):
        assert pan.holds_pan("till_id", 4111111111111111)
        assert pan.holds_pan("till_id", 4.111111111111111e15)
        assert not pan.holds_pan("till_id", 7)
        assert not pan.holds_pan("flag", True)


class TestWhereItIs:
    def test_the_path_names_lists_and_nested_objects(self):
        document = {"lines": [{"sku": "MILK-1L"}, {"details": {"note": "4111.1111.1111.1111"}}]}
        assert pan.find_pan(document) == pan.Found("lines/1/details/note")

    def test_a_key_is_named_by_its_object_never_by_itself(self):
        found = pan.find_pan({"details": {"a/b": {"4111111111111111": "x"}}})
        assert found == pan.Found("details/a~1b", in_key=True)

    def test_the_rejection_never_echoes_the_number(self):
        error = pan.rejection(pan.Found("details", in_key=True))
        assert error.code == "card_number_rejected" and list(error.errors) == ["details"]
        assert "4111" not in str(error.to_problem())

    def test_a_clean_document_has_none(self):
        assert pan.find_pan({"lines": [{"code": LUHN_EAN, "quantity": "2"}]}) is None


class TestRawScan:
    @pytest.mark.parametrize("raw", [
        '{"note": "4111 1111 1111 1111"}',
        '{"note": "\\u0034111111111111111"}',
        '{"note": "4111\\/1111\\/1111\\/1111"}',
        '{"note": "4111\\n1111\\n1111\\n1111"}',
        '{"till_id": 4.111111111111111e15}',
        '{"till_id": 4.1e15}',
    ])
    def test_escapes_and_exponents_cannot_hide_a_number(self, raw):
        assert pan.might_hold_pan(raw)

    def test_a_body_without_a_luhn_valid_run_is_passed_in_one_scan(self):
        lines = ", ".join('{"sku": "OAT-MILK-1L", "quantity": "2", "code": "4600000000015"}'
                          for _ in range(20))
        assert not pan.might_hold_pan(f'{{"till_id": 1, "lines": [{lines}]}}')


class TestMasking:
    def test_all_but_the_last_four_digits_are_masked(self):
        assert pan.mask_pans("paid 4111 1111 1111 1111 ok") == "paid **** **** **** 1111 ok"
        assert pan.mask_pans("order 12345") == "order 12345"

    def test_the_access_log_masks_the_query_string_and_headers(self):
        config = Config()
        config.set("accesslog", "-")
        logger = MaskingLogger(config)
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/api/v1/items?q=4111%201111%201111%201111",
                   "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": "q=4111+1111+1111+1111",
                   "HTTP_USER_AGENT": "till 4111-1111-1111-1111", "PATH_INFO": "/api/v1/items"}
        response = SimpleNamespace(status="422 UNPROCESSABLE ENTITY", headers=[], sent=10)
        atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(0))
        assert "1111 1111 1111" not in " ".join(str(v) for v in atoms.values())
        assert atoms["r"] == "GET /api/v1/items?q=**** **** **** 1111 HTTP/1.1"
        assert atoms["U"] == "/api/v1/items"


class TestNumbers:
    def test_a_json_number_of_card_length_is_a_card_number(self):
        assert pan.holds_pan("amount", 4111111111111111)
        assert pan.holds_pan("amount", 4111111111111111.0)

    @pytest.mark.parametrize("value", [1e300, 10**25, 1234, 12.5, float("inf")])
    def test_a_number_of_any_other_length_is_not(self, value):
        assert not pan.holds_pan("quantity", value)

    def test_an_amount_too_long_for_a_card_is_left_to_its_field(self):
        assert not pan.holds_pan("amount", "9999999999999999999999999.00")
        assert pan.holds_pan("amount", "4111111111111111.00")



class TestRunsKnownToHoldNone:
    CLEAN = "2900000000012"  # a loyalty card's number: 13 digits failing Luhn

    def test_a_run_found_clean_is_kept_and_a_card_number_never_is(self):
        card = "4111 1111 1111 1111"
        assert not pan.luhn_ok(self.CLEAN)
        pan._NO_PAN.clear()
        for _ in range(2):  # asked again, each gets the same answer
            assert not pan.looks_like_pan(f"card {self.CLEAN}")
            assert pan.looks_like_pan(f"paid {card}")
        assert list(pan._NO_PAN) == [self.CLEAN]

    def test_the_memory_is_bounded_and_keeps_no_long_run(self):
        for n in range(pan._NO_PAN_KEPT + 10):
            pan.looks_like_pan(f"{n:013d}")
        assert 0 < len(pan._NO_PAN) <= pan._NO_PAN_KEPT
        spaced = "2 9 0 0 0 0 0 0 0 0 0 1 2 0 0 0 0"  # no window passes Luhn; 33 characters
        assert not pan.looks_like_pan(spaced) and spaced not in pan._NO_PAN
