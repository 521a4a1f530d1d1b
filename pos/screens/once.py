"""Forms that act once: a double click or a form sent again does not repeat what it did.

A form that changes something (cash in or out, close a shift, create a discount) carries a
one-time ``once`` field, made when its page was rendered. The first request with it claims the
value, with what the form holds, in the idempotency store (the API's, in a scope of its own)
and records where it sent the browser; a repeat (the second click of a double click, the form
sent again after "back") is sent there too, without acting again. A repeat that comes while
the first is still at work waits for it, a few seconds at most. A refused request forgets its
claim, so the corrected form can be sent.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import current_app, redirect, request
from werkzeug.wrappers import Response

from pos.core import idempotency
from pos.core.db import Database
from pos.core.errors import ConflictError, ValidationError
from pos.core.request import current_clock, current_db, current_settings

F = TypeVar("F", bound=Callable[..., Any])
SCOPE = "screen-form"
FIELD = "once"
WAIT_S, POLL_S = 5.0, 0.05
# A form's value is 32 letters a-p: 128 random bits with no digit. Hex would put a run of
# 13-19 digits passing the Luhn check in about one form in 500, and the card-number guard
# rightly refuses any field holding one. Hex is still taken from forms rendered before.
_TOKEN = re.compile(r"[0-9a-p]{32}")
_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def once_token() -> str:
    """Return a new value for a form's ``once`` field (letters only: never a card number)."""
    return secrets.token_hex(16).translate(_LETTERS)


def acts_once(view: F) -> F:
    """Let a form-posting view act once per ``once`` value; repeats go where the first went."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.form.get(FIELD, "")
        if not key:
            return view(*args, **kwargs)
        if not _TOKEN.fullmatch(key):
            raise ValidationError("This form is damaged: reload the page", code="invalid_form",
                                  field=FIELD)
        # The same form with other values (changed, then sent) is another action: its own key.
        db, fingerprint = current_db(), _fingerprint()
        key = f"{key}:{fingerprint[:32]}"
        stored = _claim(db, key, fingerprint)
        if stored is not None:
            return redirect(stored.body["location"], 303)
        try:
            response: Response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            idempotency.release(db, SCOPE, key)
            raise
        if response.status_code in (301, 302, 303) and response.location:
            idempotency.finish(db, SCOPE, key, 303, {"location": response.location})
        else:
            idempotency.release(db, SCOPE, key)
        return response

    return wrapper  # type: ignore[return-value]


def _fingerprint() -> str:
    fields = sorted(request.form.items(multi=True))
    return idempotency.request_fingerprint(request.method, request.path,
                                           json.dumps(fields).encode())


def _claim(db: Database, key: str, fingerprint: str) -> idempotency.StoredResponse | None:
    ttl = timedelta(days=current_settings().idempotency_ttl_days)
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            return idempotency.begin(db, SCOPE, key, fingerprint, current_clock().now(), ttl)
        except ConflictError as busy:  # the first click is still at work: wait for its answer
            if busy.code != "idempotency_in_flight" or time.monotonic() > deadline:
                raise
            time.sleep(POLL_S)
