"""Card numbers (PANs) are never stored: spot anything shaped like one and refuse it.

PCI DSS scope: the backend keeps a card payment's brand, last four digits and terminal
reference only. The rule, applied to every string (and integer) a client sends:

- a *run* is digits with at most two separators between two of them: a space or other
  whitespace, a dash, a dot or a slash (``4111 1111 1111 1111``, ``4111.1111.1111.1111``);
- a run holds a card number when 13 to 19 of its digits, taken from group to group (a
  number written beside another, ``4111111111111111.0``), pass the Luhn check; a run of
  more than 19 digits is refused outright: nearly every such run hides a Luhn-valid window,
  and checking each window would let a crafted body cost seconds;
- except two shapes that are legitimately digit runs: a canonical UUID (8-4-4-4-12 hex) in
  any field, and plain digits of a GS1 length (8, 12, 13 or 14: EAN-8, UPC-A, EAN-13,
  GTIN-14) in a field that holds barcodes or codes (:data:`CODE_KEYS`); the catalog checks
  such a code's check digit itself (``invalid_check_digit``). A 13- or 14-digit card number
  (rare: old Visa, Diners) cannot be told from a barcode and passes in those fields only; a
  16-19 digit one is refused there too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pos.core.errors import ValidationError

MIN_PAN_DIGITS, MAX_PAN_DIGITS = 13, 19
# Keys whose values may legitimately be a 13-digit code: a scanned barcode, a SKU or search
# text that is one, a loyalty card's EAN-13.
CODE_KEYS = frozenset({"code", "codes", "barcode", "barcodes", "sku", "plu", "q", "card_code"})
_GS1_LENGTHS = frozenset({8, 12, 13, 14})
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, its two digits summed (Luhn)
_RUN = re.compile(r"\d(?:[\s./-]{0,2}\d){12,}")
_COARSE = re.compile(r"[0-9][0-9\s./-]{12,}")  # ASCII text: the regular expression's fast path
_COARSE_ANY = re.compile(r"\d[\d\s./-]{12,}")
_GROUP = re.compile(r"\d+")
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_UUID_LENGTH = 36
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# JSON escapes can hide a digit or a separator from a scan of the raw text.
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "b": "\b"}
# What a raw JSON text is scanned for, once: a coarse run, or a number with an exponent of 10
# or more (4.111111111111111e15 is a long integer too); what follows the exponent tells it
# from hex in a string (a UUID's "3e12-").
_SUSPECT = re.compile(r"[0-9](?:[0-9.]*[eE]\+?[0-9]{2,}(?=[\s,\]}]|$)|[0-9\s./-]{12,})")
_SUSPECT_ANY = re.compile(r"\d(?:[\d.]*[eE]\+?\d{2,}(?=[\s,\]}]|$)|[\d\s./-]{12,})")


def luhn_ok(digits: str) -> bool:
    """Tell whether a digit string passes the Luhn checksum."""
    backwards = digits[::-1]
    total = sum(map(int, backwards[0::2])) + sum(_DOUBLED[int(d)] for d in backwards[1::2])
    return total % 10 == 0


# Runs found to hold no card number (a loyalty card's number, an item's barcode): they come
# again and again, in every sale with the card or the item. A run that holds one is never
# kept, so no card number is held; the memory starts over when full.
_NO_PAN: dict[str, bool] = {}
_NO_PAN_KEPT, _NO_PAN_LONGEST = 4096, 32


def _run_holds_pan(run: str) -> bool:
    if run in _NO_PAN:
        return False
    groups = _GROUP.findall(run)
    if sum(map(len, groups)) > MAX_PAN_DIGITS:
        return True
    for start in range(len(groups)):
        digits = ""
        for group in groups[start:]:
            digits += group
            if len(digits) > MAX_PAN_DIGITS:
                break
            if len(digits) >= MIN_PAN_DIGITS and luhn_ok(digits):
                return True
    if len(run) <= _NO_PAN_LONGEST:
        if len(_NO_PAN) >= _NO_PAN_KEPT:
            _NO_PAN.clear()
        _NO_PAN[run] = True
    return False


def looks_like_pan(text: str) -> bool:
    """Tell whether a text contains something shaped like a card number."""
    if len(text) < MIN_PAN_DIGITS:
        return False
    # A coarse run of digits and separators first: one fast scan, rarely a match to refine.
    for coarse in (_COARSE if text.isascii() else _COARSE_ANY).finditer(text):
        for match in _RUN.finditer(coarse.group()):
            if _run_holds_pan(match.group()):
                return True
    return False


def mask_pans(text: str) -> str:
    """Return ``text`` with every digit of a card-number-shaped run but the last four masked."""

    def _mask(match: re.Match[str]) -> str:
        run = match.group()
        if not _run_holds_pan(run):
            return run
        cut = [index for index, char in enumerate(run) if char.isdigit()][-4]
        return re.sub(r"\d", "*", run[:cut]) + run[cut:]

    return _RUN.sub(_mask, text)


def is_exempt(key: str | None, text: str) -> bool:
    """Tell whether a value is a digit run by nature: a UUID, or a barcode under a code key."""
    text = text.strip()
    if len(text) == _UUID_LENGTH:
        return _UUID.fullmatch(text) is not None
    return key in CODE_KEYS and len(text) in _GS1_LENGTHS and text.isascii() and text.isdigit()


def holds_pan(key: str | None, value: Any) -> bool:
    """Tell whether a value sent under ``key`` holds a card number (see the module's rule)."""
    kind = type(value)
    if (kind is str and _PLAIN_NUMBER.fullmatch(value)
            and len(value.lstrip("+-").split(".")[0]) > MAX_PAN_DIGITS):
        return False  # a whole amount or quantity too long to be a card: its field refuses it
    if kind is str:
        text = value
    elif kind is int or (kind is float and math.isfinite(value)):
        # A JSON number is one whole value, never a card number inside a longer text: only
        # one of card-number length can be one (1e300 is not refused as a "long run").
        whole = abs(int(value))
        if not 10 ** (MIN_PAN_DIGITS - 1) <= whole < 10 ** MAX_PAN_DIGITS:
            return False
        text = str(whole)
    else:
        return False  # booleans, None, NaN and infinities
    # The exemption first: it is the cheaper test, and a barcode is the common long value.
    return len(text) >= MIN_PAN_DIGITS and not is_exempt(key, text) and looks_like_pan(text)


@dataclass(frozen=True)
class Found:
    """Where a card number was found: a path such as ``lines/0/details/note``."""

    path: str
    in_key: bool = False


def find_pan(value: Any) -> Found | None:
    """Return where the first card number in a JSON-like value is, keys included, or None."""
    found = _find(value, None)
    if found is None:
        return None
    parts, in_key = found
    return Found("/".join(_escaped(part) for part in reversed(parts)), in_key)


def _find(value: Any, key: str | None) -> tuple[list[str], bool] | None:
    # The path is built only on a hit, from the inside out: walking costs no string work.
    if isinstance(value, dict):
        for name, item in value.items():
            if holds_pan(None, name):
                return [], True
            found = _find(item, name)
            if found is not None:
                found[0].append(str(name))
                return found
    elif isinstance(value, (list, tuple)):  # noqa: UP038 - the tuple form is the faster
        for index, item in enumerate(value):
            found = _find(item, key)
            if found is not None:
                found[0].append(str(index))
                return found
    elif holds_pan(key, value):
        return [], False
    return None


def _escaped(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")  # JSON pointer escaping


def might_hold_pan(raw: str) -> bool:
    """Tell cheaply whether a raw JSON text could hold a card number in any value or key.

    One scan of the text: a string or number token never shares a digit run with another
    (quotes, commas and colons end runs), so when no run of the text holds a card number, no
    value does. Escapes are decoded first, so an escaped digit or slash cannot hide one.
    """
    if "\\" in raw:
        raw = _ESCAPE.sub(_unescape, raw)
    for match in (_SUSPECT if raw.isascii() else _SUSPECT_ANY).finditer(raw):
        suspect = match.group()
        if "e" in suspect or "E" in suspect:
            return True  # a number in exponent form: the walk reads its value
        if any(_run_holds_pan(run.group()) for run in _RUN.finditer(suspect)):
            return True
    return False


def _unescape(match: re.Match[str]) -> str:
    escaped = match.group(1)
    if len(escaped) == 5:
        return chr(int(escaped[1:], 16))
    return _ESCAPED.get(escaped, escaped)


def rejection(found: Found, field: str | None = None) -> ValidationError:
    """Return the 422 ``card_number_rejected`` naming where the number was (never the number)."""
    where = field or found.path or "body"
    detail = ("A key here looks like a card number" if found.in_key else
              "Never send a card number; send brand and last four digits")
    return ValidationError(detail, code="card_number_rejected", field=where)


def reject_pans(values: Mapping[str, Any]) -> None:
    """Refuse any field whose value, at any depth, contains a PAN-looking number."""
    found = find_pan(values)
    if found is not None:
        raise rejection(found)
