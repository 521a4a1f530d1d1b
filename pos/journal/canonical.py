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
