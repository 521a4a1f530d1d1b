"""A weighed line whose weight comes from the till's scale is priced at the weight read now."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import bindparam, select

from pos.catalog.model import Item
from pos.core.context import Context
from pos.core.direct import Direct
from pos.receipts.lines import LineRequest
from pos.receipts.model import Receipt


def weighed_now(ctx: Context, receipt_id: int, request: LineRequest) -> LineRequest:
    """Return the request with the scale's weight read now, when the till's scale is ours.

    Read before the write transaction opens, so a scale that takes time to settle holds no
    lock. A till without a configured scale keeps the weight it sent.
    """
    weigher = ctx.registry.weigher
    if request.weight_source != "scale" or weigher is None:
        return request
    with ctx.db.read() as session:  # one statement, and the till's devices from the copy
        found = _TILL_AND_WEIGHED.first(session.connection(), {"receipt_id": receipt_id,
                                                               "sku": request.sku})
        is_weighed = found is not None and (request.sku is None or bool(found.is_weighed))
        # the use case itself says receipt_not_found / not weighed
        if not is_weighed or not weigher.has_scale(session, int(found.till_id)):
            return request  # (or the till weighs on its own scale and sent the weight)
    weight = weigher(int(found.till_id))
    return request if weight is None else replace(request, quantity=weight)


_TILL_AND_WEIGHED = Direct(select(
    Receipt.till_id,
    select(Item.is_weighed).where(Item.sku == bindparam("sku")).scalar_subquery()
    .label("is_weighed")).where(Receipt.id == bindparam("receipt_id")))
