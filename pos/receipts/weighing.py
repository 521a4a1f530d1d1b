"""A weighed line whose weight comes from the till's scale is priced at the weight read now."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from pos.catalog.model import Item
from pos.core.context import Context
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
    with ctx.db.read() as session:
        till_id = session.scalar(select(Receipt.till_id).where(Receipt.id == receipt_id))
        is_weighed = request.sku is None or bool(session.scalar(
            select(Item.is_weighed).where(Item.sku == request.sku)))
    if till_id is None or not is_weighed:
        return request  # the use case itself says receipt_not_found / not weighed
    weight = weigher(int(till_id))
    return request if weight is None else replace(request, quantity=weight)
