"""The office's discounts (``/office/discounts``): the tree, a rule's and a group's forms.

Every page is a client of the discount services the API calls (``pos.discounts.service``)
and shows what the API shows (its schemas' dumps); the services validate every change and a
refusal is shown beside the form with its code and the fields it names.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from pos.catalog.service import list_items
from pos.core.barcode import is_digits
from pos.core.errors import ForbiddenError, PosError
from pos.core.request import current_clock, current_db
from pos.core.security import Principal, Right
from pos.discounts import service
from pos.discounts.engine import Kind, Per, Rule, Scope
from pos.discounts.schemas import (
    RULE_KINDS,
    DiscountFields,
    DiscountSchema,
    GroupFields,
    NewDiscountSchema,
    NewGroupSchema,
    TreeNodeSchema,
)
from pos.screens import office_discount_words as words
from pos.screens.office import blp, manager
from pos.screens.office_discount_form import (
    FORM_BENEFITS,
    benefit_in_form,
    discount_document,
    form_of,
    group_document,
    item_codes,
    item_ids_by_sku,
    load,
    skus_by_id,
    split_conditions,
)
from pos.screens.office_state import store_overview
from pos.screens.once import acts_once
from pos.screens.web import as_id

LAST = 10**6  # a position past any group's children: the end
CHOICES = {"kinds": RULE_KINDS, "scopes": [s.value for s in Scope], "rules": list(Rule),
           "pers": [p.value for p in Per], "benefits": list(FORM_BENEFITS),
           "weekdays": list(enumerate(words.WEEKDAYS)), "rule_words": words.RULE_WORDS,
           "kind_words": {k.value: words.KIND_WORDS.get(k.value, k.value) for k in Kind}}


def discount_manager() -> Principal:
    """Return the signed-in manager if they may manage discounts; refuse anyone else."""
    who = manager()
    if not who.can(Right.MANAGE_DISCOUNTS):
        raise ForbiddenError(f"Your role ({who.role}) lacks: manage_discounts",
                             code="forbidden", extra={"missing_rights": ["manage_discounts"]})
    return who


def _tree() -> dict[str, Any]:
    return TreeNodeSchema().dump(service.tree_view(current_db()))  # type: ignore[no-any-return]


def _groups(node: dict[str, Any], depth: int = 0) -> list[tuple[int | str, str]]:
    """Return every group as (id, indented name), in tree order, for a select."""
    # id 0: the root before any group is stored (the service makes it with the first rule)
    found = [(node["id"] or "", "\u00a0\u00a0" * depth + node["name"])]
    for child in node["groups"]:
        found += _groups(child, depth + 1)
    return found


def _members(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(node["discounts"])
    for child in node["groups"]:
        found += _members(child)
    return found


def _stores(who: Principal) -> dict[int, str]:
    return {store.id: store.name for store in store_overview(current_db(), who)}


@blp.get("/discounts")
def discounts() -> Any:
    """Show the tree of groups and discounts, each with its rule and conditions in words."""
    who = discount_manager()
    tree = _tree()
    skus = skus_by_id(current_db(), {i for d in _members(tree) for i in d.get("item_ids") or ()})
    return render_template("screens/office/discounts.html", who=who, tree=tree, skus=skus,
                           stores=_stores(who), words=words, **CHOICES)


def catalog_items() -> list[Any]:
    """Return the catalog's first items by SKU, for a field's suggestions."""
    return list(list_items(current_db(), page=1, page_size=200).items)


def _discount_page(who: Principal, form: MultiDict[str, str], stored: dict[str, Any] | None,
                   error: PosError | None = None) -> Any:
    tree = _tree()
    volume, hours, kept = split_conditions((stored or {}).get("conditions") or ())
    page = render_template(
        "screens/office/discount_form.html", who=who, form=form, stored=stored,
        groups=_groups(tree), stores=_stores(who), catalog=catalog_items(), kept=kept,
        benefit_locked=stored is not None and not benefit_in_form(stored.get("benefit") or {}),
        problem=error.to_problem() if error else None, words=words, **CHOICES)
    return page if error is None else (page, error.status)


@blp.get("/discounts/new")
def new_discount() -> Any:
    """Show an empty discount form (a new discount starts inactive)."""
    who = discount_manager()
    form = MultiDict({"kind": "automatic", "scope": "line", "benefit_type": "percent_off"})
    if as_id(request.args.get("group_id")) is not None:
        form["group_id"] = request.args["group_id"]
    return _discount_page(who, form, None)


@blp.post("/discounts/new")
@acts_once
def create_discount() -> Any:
    """Create a discount from the form; a refusal shows the form again with it."""
    who = discount_manager()
    try:
        doc = discount_document(request.form, None, _item_ids(), _stores(who))
        row = service.create_discount(current_db(), load(NewDiscountSchema(), doc),
                                      current_clock().now())
    except PosError as error:
        return _discount_page(who, request.form, None, error)
    return redirect(url_for("office.edit_discount", discount_id=row.id, saved=1))


def _item_ids() -> dict[str, int]:
    return item_ids_by_sku(current_db(), item_codes(request.form))


def stored_discount(discount_id: int) -> dict[str, Any]:
    """Return a discount as the API shows it, or refuse with ``discount_not_found``."""
    with current_db().read() as session:
        row = service.get_discount(session, discount_id)
        return DiscountSchema().dump(service.as_view(row))  # type: ignore[no-any-return]


@blp.get("/discounts/<int:discount_id>")
def edit_discount(discount_id: int) -> Any:
    """Show a discount's form, its move and activation, and a link to simulate it."""
    who = discount_manager()
    stored = stored_discount(discount_id)
    return _discount_page(who, form_of(stored, skus_by_id(current_db(), stored["item_ids"])),
                          stored)


@blp.post("/discounts/<int:discount_id>")
def update_discount(discount_id: int) -> Any:
    """Change a discount from the form; a refusal shows the form again with it."""
    who = discount_manager()
    stored = stored_discount(discount_id)
    try:
        doc = discount_document(request.form, stored, _item_ids(), _stores(who))
        if doc["group_id"] is None:
            del doc["group_id"]
        service.update_discount(current_db(), discount_id, load(DiscountFields(), doc),
                                current_clock().now())
    except PosError as error:
        return _discount_page(who, request.form, stored, error)
    return redirect(url_for("office.edit_discount", discount_id=discount_id, saved=1))


@blp.post("/discounts/<int:discount_id>/active")
def activate_discount(discount_id: int) -> Any:
    """Activate (``active=1``) or deactivate a discount, then go back where the form was."""
    discount_manager()
    service.set_active(current_db(), discount_id, request.form.get("active") == "1",
                       current_clock().now())
    return redirect(_back(url_for("office.edit_discount", discount_id=discount_id)))


@blp.post("/discounts/<int:discount_id>/move")
def move_discount(discount_id: int) -> Any:
    """Move a discount into a group, at a position among its children."""
    discount_manager()
    position = request.form.get("position", "").strip()
    service.move(current_db(), discount_id=discount_id,
                 position=int(position) if is_digits(position) and len(position) < 7 else LAST,
                 to_group=as_id(request.form.get("group_id")), now=current_clock().now())
    return redirect(_back(url_for("office.edit_discount", discount_id=discount_id)))


def _back(default: str) -> str:
    back = request.form.get("back", "")
    return back if back.startswith("/office/discounts") else default


def _group_page(who: Principal, form: MultiDict[str, str], group_id: int | None,
                error: PosError | None = None) -> Any:
    page = render_template("screens/office/discount_group.html", who=who, form=form,
                           group_id=group_id, groups=_groups(_tree()),
                           problem=error.to_problem() if error else None, **CHOICES)
    return page if error is None else (page, error.status)


@blp.get("/discounts/groups/new")
def new_group() -> Any:
    """Show an empty group form."""
    return _group_page(discount_manager(), MultiDict({"rule": "max"}), None)


@blp.post("/discounts/groups/new")
@acts_once
def create_group() -> Any:
    """Create a group from the form."""
    who = discount_manager()
    try:
        service.create_group(current_db(), load(NewGroupSchema(), group_document(request.form)),
                             current_clock().now())
    except PosError as error:
        return _group_page(who, request.form, None, error)
    return redirect(url_for("office.discounts"))


@blp.get("/discounts/groups/<int:group_id>")
def edit_group(group_id: int) -> Any:
    """Show a group's form."""
    who = discount_manager()
    with current_db().read() as session:
        group = service.get_group(session, group_id)
        form = MultiDict({"name": group.name, "rule": group.rule,
                          "parent_id": str(group.parent_id or "")})
        for flag in ("allow_stacking", "holds_manual"):
            if getattr(group, flag):
                form[flag] = "on"
    return _group_page(who, form, group_id)


@blp.post("/discounts/groups/<int:group_id>")
def update_group(group_id: int) -> Any:
    """Change a group from the form (a root group keeps no parent)."""
    who = discount_manager()
    doc = group_document(request.form)
    if doc["parent_id"] is None:
        del doc["parent_id"]
    try:
        service.update_group(current_db(), group_id, load(GroupFields(), doc),
                             current_clock().now())
    except PosError as error:
        return _group_page(who, request.form, group_id, error)
    return redirect(url_for("office.discounts"))
