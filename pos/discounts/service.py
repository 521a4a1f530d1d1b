"""Use cases of discount management: groups and discounts in a tree, order, activation.

Every change is checked before it is committed, as far as it reaches: a discount on its own
(percents within 0-100, dates in order: no other rule is read), the groups' tree for a change
to the groups (no cycles, one manual slot); every referenced item, segment, price group and
store must exist. A refused change writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.core.db import Database
from pos.core.errors import NotFoundError, ValidationError
from pos.core.paging import Page, paginate
from pos.discounts import codec
from pos.discounts import engine as e
from pos.discounts.model import DiscountGroup, DiscountRow, bump_version
from pos.discounts.references import check_references
from pos.discounts.tree import ROOT_NAME, load_groups, load_tree

_JSON_FIELDS = {"benefit", "conditions", "refinements", "item_ids", "price_groups", "store_ids",
                "customer_segments", "card_types"}


def root_group(session: Session, now: datetime) -> DiscountGroup:
    """Return the root group, creating it (rule ``max``) the first time."""
    root = session.scalar(select(DiscountGroup).where(DiscountGroup.parent_id.is_(None))
                          .order_by(DiscountGroup.id).limit(1))
    if root is None:
        root = DiscountGroup(name=ROOT_NAME, rule="max", parent_id=None, position=0,
                             updated_at=now)
        session.add(root)
        session.flush()
    return root


def get_group(session: Session, group_id: int) -> DiscountGroup:
    """Return a group or raise ``discount_group_not_found``."""
    group = session.get(DiscountGroup, group_id)
    if group is None:
        raise NotFoundError(f"No discount group {group_id}", code="discount_group_not_found",
                            field="group_id")
    return group


def get_discount(session: Session, discount_id: int) -> DiscountRow:
    """Return a discount or raise ``discount_not_found``."""
    row = session.get(DiscountRow, discount_id)
    if row is None:
        raise NotFoundError(f"No discount {discount_id}", code="discount_not_found",
                            field="discount_id")
    return row


def _next_position(session: Session, group_id: int) -> int:
    groups = session.scalar(select(func.max(DiscountGroup.position))
                            .where(DiscountGroup.parent_id == group_id))
    rows = session.scalar(select(func.max(DiscountRow.position))
                          .where(DiscountRow.group_id == group_id))
    return max(groups if groups is not None else -1, rows if rows is not None else -1) + 1


def _commit_discount(session: Session, row: DiscountRow) -> None:
    """Validate a created or changed discount on its own; refuse the change if it is wrong."""
    session.flush()
    problems = e.validate_discount(codec.discount(row))
    if problems:
        # Name the places as the whole tree does (children[2].benefit...); the change is
        # refused anyway, so this is the one time a change to a discount reads every rule.
        _refuse(e.validate_tree(load_tree(session)) or problems)
    bump_version(session)


def _commit_groups(session: Session) -> None:
    """Validate the groups' tree (nesting, the manual slot); refuse the change if it is wrong."""
    session.flush()
    problems = e.validate_tree(load_groups(session))
    if problems:
        _refuse(problems)
    _check_single_manual_slot(session)
    bump_version(session)


def _refuse(problems: list[e.Problem]) -> NoReturn:
    error = e.RulesError(problems)
    error.code = problems[0].code  # the first problem's stable code, e.g. group_cycle
    raise error


def _check_single_manual_slot(session: Session) -> None:
    holders = session.scalar(select(func.count()).select_from(DiscountGroup)
                             .where(DiscountGroup.holds_manual.is_(True))) or 0
    if holders > 1:
        raise ValidationError("Manual discounts join the tree in one group only",
                              code="manual_slot_repeated", field="holds_manual")


def _check_dates(data: dict[str, Any]) -> None:
    start, end = data.get("valid_from"), data.get("valid_to")
    if start and end and end < start:
        raise ValidationError("valid_to is before valid_from", code="dates_out_of_order",
                              field="valid_to")


def create_discount(db: Database, data: dict[str, Any], now: datetime) -> DiscountRow:
    """Create a discount at the end of its group (the root if none is given)."""
    _check_dates(data)
    with db.transaction() as session:
        group_id = data.pop("group_id", None) or root_group(session, now).id
        get_group(session, group_id)
        stored = storable(data)
        check_references(session, stored)
        row = DiscountRow(**stored, group_id=group_id,
                          position=_next_position(session, group_id), updated_at=now)
        session.add(row)
        _commit_discount(session, row)
    return row


def update_discount(db: Database, discount_id: int, changes: dict[str, Any], now: datetime
                    ) -> DiscountRow:
    """Change a discount's fields (lists replace whole); the tree is re-validated."""
    with db.transaction() as session:
        row = get_discount(session, discount_id)
        if "group_id" in changes and changes["group_id"] != row.group_id:
            get_group(session, changes["group_id"])
            row.position = _next_position(session, changes["group_id"])
        stored = storable(changes)
        merged = {c: getattr(row, c) for c in ("valid_from", "valid_to")} | changes
        _check_dates(merged)
        check_references(session, {**_stored_fields(row), **stored})
        for name, value in stored.items():
            setattr(row, name, value)
        row.updated_at = now
        _commit_discount(session, row)
    return row


def storable(data: dict[str, Any]) -> dict[str, Any]:
    """Make the JSON columns' values JSON-safe; other columns keep their Python types."""
    return {k: codec.to_storage(v) if k in _JSON_FIELDS else v for k, v in data.items()}


def _stored_fields(row: DiscountRow) -> dict[str, Any]:
    return {c: getattr(row, c) for c in ("benefit", "conditions", "refinements", "segment",
                                         "item_ids", "price_groups", "store_ids")}


def set_active(db: Database, discount_id: int, is_active: bool, now: datetime) -> DiscountRow:
    """Activate or deactivate a discount."""
    return update_discount(db, discount_id, {"is_active": is_active}, now)


def delete_discount(db: Database, discount_id: int) -> None:
    """Delete a discount (closed receipts keep their own copy of what was applied)."""
    with db.transaction() as session:
        session.delete(get_discount(session, discount_id))
        session.flush()
        bump_version(session)  # taking a discount away leaves nothing to validate


def create_group(db: Database, data: dict[str, Any], now: datetime) -> DiscountGroup:
    """Create a group at the end of its parent (the root if none is given)."""
    with db.transaction() as session:
        parent_id = data.pop("parent_id", None) or root_group(session, now).id
        get_group(session, parent_id)
        group = DiscountGroup(**data, parent_id=parent_id,
                              position=_next_position(session, parent_id), updated_at=now)
        session.add(group)
        _commit_groups(session)
    return group


def update_group(db: Database, group_id: int, changes: dict[str, Any], now: datetime
                 ) -> DiscountGroup:
    """Change a group; a new parent must not be the group itself or inside it."""
    with db.transaction() as session:
        group = get_group(session, group_id)
        if "parent_id" in changes:
            _reparent(session, group, changes.pop("parent_id"))
        for name, value in changes.items():
            setattr(group, name, value)
        group.updated_at = now
        _commit_groups(session)
    return group


def _reparent(session: Session, group: DiscountGroup, parent_id: int | None) -> None:
    if parent_id is None:
        raise ValidationError("The root group stays the root", code="root_is_fixed",
                              field="parent_id")
    ancestor: DiscountGroup | None = get_group(session, parent_id)
    while ancestor is not None:
        if ancestor.id == group.id:
            raise ValidationError("A group cannot move inside itself", code="group_cycle",
                                  field="parent_id")
        ancestor = session.get(DiscountGroup, ancestor.parent_id) if ancestor.parent_id \
            else None
    if parent_id != group.parent_id:
        group.parent_id, group.position = parent_id, _next_position(session, parent_id)


def delete_group(db: Database, group_id: int) -> None:
    """Delete an empty, non-root group."""
    with db.transaction() as session:
        group = get_group(session, group_id)
        if group.parent_id is None:
            raise ValidationError("The root group cannot be deleted", code="root_is_fixed",
                                  field="group_id")
        has_children = session.scalar(select(func.count()).select_from(DiscountGroup)
                                      .where(DiscountGroup.parent_id == group_id)) or 0
        has_children += session.scalar(select(func.count()).select_from(DiscountRow)
                                       .where(DiscountRow.group_id == group_id)) or 0
        if has_children:
            raise ValidationError("Move or delete the group's members first",
                                  code="group_not_empty", field="group_id")
        session.delete(group)
        _commit_groups(session)


def move(db: Database, *, discount_id: int | None = None, group_id: int | None = None,
         position: int, to_group: int | None, now: datetime) -> None:
    """Put a discount or a group at ``position`` among its (new) parent's children."""
    with db.transaction() as session:
        if discount_id is not None:
            member: DiscountRow | DiscountGroup = get_discount(session, discount_id)
            parent = to_group or member.group_id  # type: ignore[union-attr]
            get_group(session, parent)
            member.group_id = parent  # type: ignore[union-attr]
        else:
            assert group_id is not None
            member = get_group(session, group_id)
            if member.parent_id is None:
                raise ValidationError("The root group stays the root", code="root_is_fixed",
                                      field="group_id")
            if to_group is not None:
                _reparent(session, member, to_group)
            parent = member.parent_id  # type: ignore[assignment]
        _place(session, parent, member, position)
        _commit_groups(session)


def _place(session: Session, parent_id: int, member: Any, position: int) -> None:
    siblings: list[Any] = list(session.scalars(select(DiscountGroup).where(
        DiscountGroup.parent_id == parent_id, DiscountGroup.id != getattr(member, "id", -1))))
    siblings = [s for s in siblings if s is not member]
    siblings += [r for r in session.scalars(select(DiscountRow).where(
        DiscountRow.group_id == parent_id)) if r is not member]
    siblings.sort(key=lambda s: (s.position, isinstance(s, DiscountRow), s.id))
    siblings.insert(min(position, len(siblings)), member)
    for index, sibling in enumerate(siblings):
        sibling.position = index


def list_discounts(db: Database, *, page: int, page_size: int, kind: str | None = None,
                   is_active: bool | None = None, group_id: int | None = None
                   ) -> Page[dict[str, Any]]:
    """Return a page of discounts in tree order within each group."""
    query = select(DiscountRow)
    if kind:
        query = query.where(DiscountRow.kind == kind)
    if is_active is not None:
        query = query.where(DiscountRow.is_active == is_active)
    if group_id is not None:
        query = query.where(DiscountRow.group_id == group_id)
    with db.read() as session:
        rows = paginate(session, query.order_by(DiscountRow.group_id, DiscountRow.position),
                        page=page, page_size=page_size)
    return rows.map(as_view)


def as_view(row: DiscountRow) -> dict[str, Any]:
    """Return a discount as the API shows it."""
    view = {c.name: getattr(row, c.name) for c in DiscountRow.__table__.columns}
    for name in ("benefit", "conditions", "refinements"):
        view[name] = codec.from_storage(view[name])
    return view


def tree_view(db: Database) -> dict[str, Any]:
    """Return the whole tree: groups with their subgroups and discounts, in order."""
    with db.read() as session:
        groups = list(session.scalars(select(DiscountGroup)))
        rows = list(session.scalars(select(DiscountRow)))
    if not groups:
        return {"id": 0, "name": ROOT_NAME, "rule": "max", "allow_stacking": False,
                "holds_manual": False, "groups": [], "discounts": []}

    def node(group: DiscountGroup) -> dict[str, Any]:
        return {
            "id": group.id, "name": group.name, "rule": group.rule,
            "allow_stacking": group.allow_stacking, "holds_manual": group.holds_manual,
            "groups": [node(g) for g in sorted(groups, key=lambda g: g.position)
                       if g.parent_id == group.id],
            "discounts": [as_view(r) for r in sorted(rows, key=lambda r: r.position)
                          if r.group_id == group.id],
        }

    return node(min((g for g in groups if g.parent_id is None), key=lambda g: g.id))
