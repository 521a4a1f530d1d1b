"""Certificate codes: unguessable, self-checking, never stored as they are.

A code is 15 letters drawn from a 23-letter alphabet (no I, O or U: never read as 1, 0 or V)
plus one check letter: 23**15 > 2**67, so each code carries more than 64 bits. Letters only,
so a code is never taken for a card number by the PAN guard (``pos.core.pan``), and Code 128
or a QR code carries it as printed. The check letter is a weighted sum modulo 23 (a prime):
every single mistyped letter and every swap of two neighbours is caught before any look-up.

Codes are derived, not kept: each certificate holds 16 random bytes (its seed), and its code is
HMAC(secret, seed) written in the alphabet. The database alone therefore reveals no usable code
(a code is found by HMAC(secret, code), its digest), while the installation that holds the
secret can print a batch again or show a sold electronic certificate's code to its till.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

ALPHABET = "ABCDEFGHJKLMNPQRSTVWXYZ"
BODY_LENGTH = 15
CODE_LENGTH = BODY_LENGTH + 1
SEED_BYTES = 16
_VALUE = {letter: index for index, letter in enumerate(ALPHABET)}
_BASE = len(ALPHABET)
_SPAN = _BASE ** BODY_LENGTH
_IGNORED = str.maketrans("", "", " -")


def check_letter(body: str) -> str:
    """Return the check letter of a code's body (its first 15 letters)."""
    total = sum((index + 1) * _VALUE[letter] for index, letter in enumerate(body))
    return ALPHABET[total % _BASE]


def normalize(text: str) -> str | None:
    """Return a typed or scanned code in canonical form, or None when it is not well formed.

    Case, spaces and dashes do not matter; a wrong length, a letter outside the alphabet or a
    wrong check letter makes it None.
    """
    code = text.translate(_IGNORED).upper()
    if len(code) != CODE_LENGTH or any(letter not in _VALUE for letter in code):
        return None
    return code if check_letter(code[:BODY_LENGTH]) == code[-1] else None


def display(code: str) -> str:
    """Return a canonical code as printed: four groups of four letters."""
    return "-".join(code[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def masked(code: str) -> str:
    """Return what may be shown or logged of a code: its last four letters."""
    return f"…{code[-4:]}"


def new_seed() -> bytes:
    """Return a fresh random seed for a certificate."""
    return secrets.token_bytes(SEED_BYTES)


@dataclass(frozen=True)
class CodeBook:
    """Derive codes from seeds and digests from codes with the installation's secret."""

    secret: bytes

    @classmethod
    def from_secret(cls, secret: str) -> CodeBook:
        """Build a code book from a configured secret (a text of any length)."""
        return cls(hashlib.sha256(b"gift-certificates\0" + secret.encode()).digest())

    def code_of(self, seed: bytes) -> str:
        """Return the canonical code a seed stands for."""
        mac = hmac.new(self.secret, b"code\0" + seed, hashlib.sha256).digest()
        number = int.from_bytes(mac, "big") % _SPAN
        letters = []
        for _ in range(BODY_LENGTH):
            number, index = divmod(number, _BASE)
            letters.append(ALPHABET[index])
        body = "".join(letters)
        return body + check_letter(body)

    def digest(self, code: str) -> str:
        """Return the digest a canonical code is looked up by."""
        return hmac.new(self.secret, b"find\0" + code.encode(), hashlib.sha256).hexdigest()
