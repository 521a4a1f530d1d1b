"""What a direct-load schema loads of a body, beside what marshmallow alone loads of it."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError

from pos.core.errors import ValidationError as Problem


def both_loads(schema: Schema, body: Any) -> tuple[Any, Any]:
    """Return ``schema``'s load of ``body`` (its direct path first) and marshmallow's alone."""

    def load(call: Any) -> Any:
        try:
            return call(body)
        except ValidationError as error:
            return ("refused", error.messages)
        except Problem as problem:  # a card number, refused before any field is judged
            return ("refused", problem.code, problem.errors)

    return load(schema.load), load(lambda data: Schema.load(schema, data))
