"""The office's receipts: a search (number, store, till, shift, days, card, amount), a receipt.

A loyalty card number is a secret of its holder: it is typed into a form that is POSTed,
turned into the card's id, and the search goes on by that id; the number is never stored nor
put into a URL. A receipt of a store the manager does not see does not exist for them (404).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from pos.core.errors import NotFoundError, PosError, TooManyAttemptsError, ValidationError
from pos.core.request import current_clock, current_db
from pos.screens.office import blp, manager
from pos.screens.office_ops_input import (
    PAGE_SIZE,
    day_range,
    known_id,
    optional_amount,
    optional_id,
    page_number,
    shows_problems,
)
from pos.screens.office_receipts_state import (
    ReceiptFilters,
    card_by_number,
    receipt_facts,
    search_receipts,
)
from pos.screens.office_shifts_state import days_zone, store_choices
from pos.screens.web import problem_headers

# The search's own fields; the card number is not one of them (only the card's id is).
FIELDS = ("number", "store", "till", "shift", "from", "to", "amount", "card")


@blp.get("/receipts")
@shows_problems
def receipts() -> Any:
    """Find receipts of the stores the manager sees, newest first."""
    who, db = manager(), current_db()
    problem, rows = None, None
    try:
        rows = search_receipts(db, who, _filters(request.args), page=page_number(request.args),
                               page_size=PAGE_SIZE)
    except ValidationError as error:
        problem = error
    return _search_page(rows, problem)


def _search_page(rows: Any, problem: PosError | None) -> Any:
    who = manager()
    page = render_template("screens/office/receipts.html", who=who, rows=rows,
                           args=request.args, stores=store_choices(current_db(), who),
                           problem=problem.to_problem() if problem else None)
    return (page, problem.status, problem_headers(problem)) if problem else page


def _filters(args: Any) -> ReceiptFilters:
    ids = {name: optional_id(args, name) for name in ("number", "store", "till", "shift", "card")}
    start, end = day_range(args, days_zone(current_db(), manager(), ids["store"]))
    return ReceiptFilters(ids["number"], ids["store"], ids["till"], ids["shift"], ids["card"],
                          optional_amount(args, "amount"), start, end)


@blp.post("/receipts/card")
@shows_problems
def receipts_by_card() -> Any:
    """Search by a typed card number: find the card, then search by its id."""
    who = manager()
    form = request.form
    carried = MultiDict([(name, form[name]) for name in FIELDS
                         if name != "card" and form.get(name)])
    try:
        _filters(carried)  # refuse bad filters before the card is looked up
        card_id = card_by_number(current_db(), form.get("card_number", ""), who.user_id,
                                 current_clock().now())
        if card_id is None:
            # The number typed is not repeated: the message and the URL never carry it.
            raise NotFoundError("No card has that number", code="card_not_found",
                                field="card_number")
    except (ValidationError, NotFoundError, TooManyAttemptsError) as error:
        return _search_page(None, error)
    carried["card"] = str(card_id)
    return redirect(f"{url_for('office.receipts')}?{urlencode(list(carried.items(multi=True)))}")


@blp.get("/receipts/<receipt_id>")
@shows_problems
def receipt_page(receipt_id: str) -> Any:
    """Show a receipt: lines with discounts, payments, returns, journal and fiscal state."""
    missing = NotFoundError("No such receipt", code="receipt_not_found")
    facts = receipt_facts(current_db(), known_id(receipt_id, missing), manager())
    return render_template("screens/office/receipt.html", who=manager(), facts=facts,
                           receipt=facts.receipt)
