"""No card number crosses the API: every request is checked before any view runs.

``create_app`` runs :func:`refuse_card_numbers` before every request, so a refused request
writes nothing (no receipt, no journal entry, no idempotency key, no failed-login audit) and the
422 ``card_number_rejected`` names where the number was, never the number. Checked, by the rule
of :mod:`pos.core.pan`:

- the JSON body at any depth, keys and values; a form body (the screens') field by field;
  any other body is refused whole when its text holds a card number;
- the query string (names and values) and the path's parameters;
- the headers the service stores or acts on: :data:`CHECKED_HEADERS`. ``Idempotency-Key`` is
  stored as sent; ``X-Till-Id``, ``X-Approval-Code`` and ``X-Manager-Credentials`` are read by
  use cases and may reach error details or the audit log.

Not checked: ``Authorization`` (only its SHA-256 is kept; tokens are random), and headers the
service never reads such as ``User-Agent`` and ``Referer``: refusing a browser's own headers
would help no one. The one place they are written, gunicorn's access log, masks card numbers
in every field it prints (:mod:`pos.server`).

The common case costs one regular-expression scan of the raw body: the parsed document is
walked only when the text holds a Luhn-valid run (a barcode can be one).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request

from pos.core.pan import Found, find_pan, holds_pan, might_hold_pan, rejection
from pos.core.request import NotTextError, json_body

CHECKED_HEADERS = ("Idempotency-Key", "X-Till-Id", "X-Approval-Code", "X-Manager-Credentials")
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_card_numbers() -> None:
    """Raise 422 ``card_number_rejected`` when any string of the request holds a card number."""
    found = (_in_headers() or _in_params((request.view_args or {}).items(), "path")
             or _in_params(request.args.items(multi=True), "query") or _in_body())
    if found is not None:
        raise rejection(found)


def _in_headers() -> Found | None:
    for name in CHECKED_HEADERS:
        value = request.headers.get(name)
        if value is not None and holds_pan(None, value):
            return Found(name)
    return None


def _in_params(pairs: Iterable[tuple[str, Any]], where: str) -> Found | None:
    for name, value in pairs:
        if holds_pan(None, name):
            return Found(where, in_key=True)
        if holds_pan(name, value):
            return Found(name)
    return None


def _in_body() -> Found | None:
    if request.mimetype in FORM_TYPES:
        # A screen's form: each field is judged under its name, as a JSON body's would be
        # (a barcode under ``code`` is exempt), not the body refused whole. Fields are walked
        # decoded: in the raw body a number's spaces are "+" or "%20", which hid it.
        return _in_params(request.form.items(multi=True), "body")
    raw = request.get_data(cache=True)
    if not raw:
        return None
    if not might_hold_pan(raw.decode("utf-8", "replace")):
        return None
    try:
        document = json_body()  # parsed once: the view's arguments read this same document
    except NotTextError as refused:  # its problem names a path of the client's keys
        found = find_pan(refused.document)
        if found is None:
            raise
        return found
    except ValueError:  # no JSON (or no UTF-8): refused whole, as it holds a suspect run
        return Found("body")
    return find_pan(document)
