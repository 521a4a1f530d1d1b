"""Canonical JSON and the chain hash: the pure core of the journal."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(document: dict[str, Any]) -> str:
    """Serialise a document the one way it is hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, document_json: str) -> str:
    """Return SHA-256 over the previous entry's hash and this entry's canonical JSON."""
    return hashlib.sha256(f"{prev_hash}\n{document_json}".encode()).hexdigest()


def differing_keys(document_json: str, document: Any) -> list[str]:
    """Return the top-level keys whose values differ between a canonical JSON and a document."""
    journaled = json.loads(document_json)
    other = json.loads(canonical_json(document))
    if not isinstance(journaled, dict) or not isinstance(other, dict):
        return ["the whole document"]
    return sorted(k for k in journaled.keys() | other.keys() if journaled.get(k) != other.get(k))
