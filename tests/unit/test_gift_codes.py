"""Certificate codes: letters only, over 64 bits, every single typo and swap caught."""

from __future__ import annotations

import math

from loyalty.gift_certificates.codes import (
    ALPHABET,
    BODY_LENGTH,
    CodeBook,
    display,
    new_seed,
    normalize,
)
from pos.core.pan import find_pan

BOOK = CodeBook.from_secret("test-secret")


def test_a_code_carries_more_than_64_bits_in_letters_only():
    assert BODY_LENGTH * math.log2(len(ALPHABET)) > 64
    code = BOOK.code_of(new_seed())
    assert code.isalpha() and code.isupper() and len(code) == 16


def test_a_printed_code_reads_back_in_any_case_with_dashes_or_spaces():
    code = BOOK.code_of(new_seed())
    assert normalize(display(code).lower()) == code
    assert normalize(" ".join(display(code).split("-"))) == code


def test_every_single_substitution_is_caught():
    code = BOOK.code_of(b"\x07" * 16)
    for position in range(len(code)):
        for letter in ALPHABET:
            if letter != code[position]:
                typo = code[:position] + letter + code[position + 1:]
                assert normalize(typo) is None, typo


def test_every_swap_of_neighbours_is_caught():
    code = BOOK.code_of(b"\x09" * 16)
    for position in range(len(code) - 1):
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
        if swapped != code:
            assert normalize(swapped) is None, swapped


def test_a_code_is_never_taken_for_a_card_number():
    assert all(find_pan({"details": {"code": display(BOOK.code_of(new_seed()))}}) is None
               for _ in range(200))


def test_ten_thousand_seeds_give_ten_thousand_codes_and_digests():
    codes = {BOOK.code_of(new_seed()) for _ in range(10_000)}
    assert len(codes) == 10_000
    assert len({BOOK.digest(code) for code in codes}) == 10_000


def test_a_code_depends_on_the_secret():
    seed = new_seed()
    other = CodeBook.from_secret("another-secret")
    assert BOOK.code_of(seed) != other.code_of(seed)
    assert BOOK.digest("A" * 16) != other.digest("A" * 16)
