"""Who sees and acts where: users work in their stores, cashiers on their own tills.

The one place that answers "may this principal see store S" and "may this principal act on
till T". Admins (``store_ids`` None) see every store; everyone else only the stores they work
in. Within those, whoever manages others' shifts (managers) acts on every till; a cashier acts
on a till they are assigned to or whose open shift they opened, and opens a shift only on a
till they are assigned to (on any till of their stores while assigned to none).

What is outside a principal's scope does not exist for them: services answer 404 with the
thing's usual ``*_not_found`` code, so the ids of other stores, tills and documents do not
leak. A manager's approval lets a cashier act outside their scope once, audited
(``pos.auth.approval.admit``); reading needs no approval path: a manager reads.

Pure functions of a :class:`~pos.core.security.Principal`; services load what they judge.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos.core.security import Principal, Right


@dataclass(frozen=True)
class Place:
    """Where a document or an action is: its store, its till, who opened the till's shift."""

    store_id: int
    till_id: int
    opened_by_id: int | None = None  # the opener of the shift in question (None: no shift)


def sees_store(principal: Principal, store_id: int) -> bool:
    """Tell whether the principal may see store ``store_id`` and what belongs to it."""
    return principal.store_ids is None or store_id in principal.store_ids


def visible_stores(principal: Principal) -> frozenset[int] | None:
    """Return the stores a list shows the principal (None: every store)."""
    return principal.store_ids


def manages_tills(principal: Principal) -> bool:
    """Tell whether the principal acts on every till of their stores (a manager)."""
    return principal.can(Right.MANAGE_OTHERS_SHIFTS)


def works_at(principal: Principal, place: Place) -> bool:
    """Tell whether the principal may act at ``place``: sell, take cash in, return, close."""
    if not sees_store(principal, place.store_id):
        return False
    if manages_tills(principal) or place.till_id in principal.till_ids:
        return True
    return place.opened_by_id is not None and place.opened_by_id == principal.user_id


def needs_opener(principal: Principal, store_id: int, till_id: int) -> bool:
    """Tell whether :func:`works_at` depends on who opened the till's shift (load it then)."""
    return (sees_store(principal, store_id) and not manages_tills(principal)
            and till_id not in principal.till_ids)


def sees(principal: Principal, place: Place, made_by_id: int | None = None) -> bool:
    """Tell whether the principal may read a document at ``place`` (made by ``made_by_id``)."""
    if works_at(principal, place):
        return True
    return made_by_id == principal.user_id and sees_store(principal, place.store_id)


def may_open_shift(principal: Principal, store_id: int, till_id: int) -> bool:
    """Tell whether the principal may open a shift on till ``till_id`` of store ``store_id``."""
    if not sees_store(principal, store_id):
        return False
    return manages_tills(principal) or not principal.till_ids or till_id in principal.till_ids
