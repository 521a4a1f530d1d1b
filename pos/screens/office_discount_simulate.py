"""Simulate a discount on a sample basket before activating it (``.../<id>/simulate``).

The manager picks items (SKU or barcode, with quantities), a till of a store, a moment and
optionally a card; the API's simulation (``pos.discounts.simulate``) prices the basket under
the active rules and under the same rules with this discount switched on, and the page shows
per line what applies, what was displaced and by what, and both totals.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import render_template, request
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from pos.catalog.model import Item
from pos.core.errors import PosError, ValidationError
from pos.core.request import current_db
from pos.discounts.simulate import Draft, simulate
from pos.receipts.lines import LineRequest
from pos.receipts.quote import Basket
from pos.screens import office_discount_words as words
from pos.screens.office import blp, office_context
from pos.screens.office_discounts import catalog_items, discount_manager, stored_discount
from pos.screens.office_state import store_overview
from pos.screens.web import as_id
from pos.stores.model import Store, Till

LINES = 5  # rows of the sample basket's form


@blp.get("/discounts/<int:discount_id>/simulate")
def simulate_discount(discount_id: int) -> Any:
    """Show the sample basket's form for a discount."""
    who = discount_manager()
    return _page(who, discount_id, MultiDict({"qty_0": "1"}), None)


@blp.post("/discounts/<int:discount_id>/simulate")
def run_simulation(discount_id: int) -> Any:
    """Price the sample basket with and without the discount, and show both."""
    who = discount_manager()
    stored_discount(discount_id)
    try:
        basket, at, card_types = _sample(request.form)
        ctx = replace(office_context(), now=at) if at else office_context()
        draft = Draft(({"id": discount_id, "is_active": True},))
        result = simulate(ctx, draft, basket=basket, receipt_id=None, card_types=card_types)
    except PosError as error:
        return _page(who, discount_id, request.form, None, error)
    return _page(who, discount_id, request.form, result)


def _page(who: Any, discount_id: int, form: MultiDict[str, str], result: dict[str, Any] | None,
          error: PosError | None = None) -> Any:
    stores = store_overview(current_db(), who)
    page = render_template(
        "screens/office/discount_simulate.html", who=who, form=form, result=result,
        discount=stored_discount(discount_id), words=words, rows=range(LINES),
        tills=[(t.id, f"{s.name} · {t.label}") for s in stores for t in s.tills],
        problem=error.to_problem() if error else None, catalog=catalog_items(),
        lines=_line_views(result) if result else [])
    return page if error is None else (page, error.status)


def _sample(form: MultiDict[str, str]) -> tuple[Basket, datetime | None, frozenset[str]]:
    codes = [(n, form.get(f"code_{n}", "").strip(), form.get(f"qty_{n}", "").strip())
             for n in range(LINES)]
    codes = [row for row in codes if row[1]]
    if not codes:
        raise ValidationError("Add an item to the basket", code="receipt_empty",
                              field="code_0")
    skus = _known_skus([code for _, code, _ in codes])
    lines = tuple(LineRequest(sku=code, quantity=qty or None) if code in skus
                  else LineRequest(code=code, quantity=qty or None) for _, code, qty in codes)
    till_id = as_id(form.get("till_id"))
    if till_id is None:
        raise ValidationError("Choose a store's till", code="invalid_till", field="till_id")
    basket = Basket(till_id=till_id, lines=lines,
                    card_code=form.get("card_code", "").strip() or None)
    types = frozenset(t.strip() for t in form.get("card_type", "").split(",") if t.strip())
    return basket, _moment(form.get("at", ""), till_id), types


def _known_skus(codes: list[str]) -> set[str]:
    with current_db().read() as session:
        return set(session.scalars(select(Item.sku).where(Item.sku.in_(codes))))


def _moment(text: str, till_id: int) -> datetime | None:
    """Read the store-local date and time the sample is sold at (empty: now)."""
    if not text:
        return None
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{text!r} is not a date and time", code="invalid_moment",
                              field="at") from None
    with current_db().read() as session:
        zone = session.scalar(select(Store.timezone).join(Till, Till.store_id == Store.id)
                              .where(Till.id == till_id))
    if zone is None:
        return None  # an unknown till is refused by the simulation itself
    return local.replace(tzinfo=Store(timezone=zone).zone)


def _line_views(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Pair each line's price under the active rules with its price under the draft."""
    return [{"current": now, "draft": then}
            for now, then in zip(result["current"]["lines"], result["draft"]["lines"],
                                 strict=True)]
