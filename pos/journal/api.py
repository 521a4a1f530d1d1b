"""HTTP endpoint of the journal: verify the hash chains."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView

from pos.core.schemas import Id, StrictSchema
from pos.core.security import Right
from pos.core.web import ApiBlueprint, authenticate, current_db, current_registry
from pos.journal import service

blp = ApiBlueprint("journal", __name__, url_prefix="/api/v1",
                   description="The tamper-evident journal of fiscal documents")


class VerifyQuerySchema(StrictSchema):
    """Which till to verify (all when absent)."""

    till_id = Id()


@blp.route("/journal/verify")
class Verify(MethodView):
    """Verification."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.arguments(VerifyQuerySchema, location="query")
    @blp.response(200)
    def get(self, query: dict[str, Any]) -> Any:
        """Check every chain from its first entry; report the first broken entry."""
        verdict = service.verify(current_db(), current_registry().journal_checks,
                                 query.get("till_id"), authenticate())
        return {"is_intact": verdict.is_intact, "tills": [asdict(t) for t in verdict.tills]}
