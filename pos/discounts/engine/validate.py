"""Check a rule tree before it is saved or compiled: each problem has a field path and a code.

The management API turns these into problem responses; the codes are stable, the messages are
for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .benefits import (
    HUNDRED,
    AmountOff,
    Benefit,
    CheapestFree,
    FixedPrice,
    Gift,
    Markup,
    PercentOff,
    QuantityDiscount,
)
from .conditions import (
    CardTypes,
    CashierGroup,
    Condition,
    CustomerSegment,
    DateRange,
    PaymentForm,
    ReceiptVolume,
    SegmentQuantity,
    StoreIn,
    TimeOfSale,
)
from .model import Discount, Group, ManualSlot

# A markup above ten times the price is a typo, not a policy.
MAX_MARKUP_PERCENT = Decimal(1000)


@dataclass(frozen=True, slots=True)
class Problem:
    """Name one problem: where (``children[2].benefit.percent``), a stable code, a message."""

    path: str
    code: str
    message: str


def validate_tree(root: Group) -> list[Problem]:
    """Return every problem in the tree, in tree order; an empty list means it compiles."""
    checker = _Checker()
    checker.group(root, "", ())
    return checker.problems


def validate_discount(discount: Discount, path: str = "") -> list[Problem]:
    """Return the problems of one discount, with ``path`` (where it sits) before their paths.

    A discount's problems do not depend on the rest of its tree, save an id used twice, which
    only :func:`validate_tree` sees.
    """
    checker = _Checker()
    checker.discount(discount, path)
    return checker.problems


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.seen_ids: set[str] = set()
        self.slots = 0

    def add(self, path: str, code: str, message: str) -> None:
        self.problems.append(Problem(path.lstrip("."), code, message))

    def group(self, group: Group, path: str, ancestors: tuple[Group, ...]) -> None:
        if any(g is group or g.id == group.id for g in ancestors):
            self.add(f"{path}.id", "group_cycle", f"group {group.id!r} contains itself")
            return
        self._identify(group.id, path)
        for index, child in enumerate(group.children):
            here = f"{path}.children[{index}]"
            if isinstance(child, Group):
                self.group(child, here, (*ancestors, group))
            elif isinstance(child, ManualSlot):
                self.slots += 1
                if self.slots > 1:
                    self.add(here, "manual_slot_repeated", "manual discounts join in one place")
            else:
                self.discount(child, here)

    def _identify(self, node_id: str, path: str) -> None:
        if not node_id:
            self.add(f"{path}.id", "id_missing", "every discount and group needs an id")
        elif node_id in self.seen_ids:
            self.add(f"{path}.id", "duplicate_id", f"id {node_id!r} is used twice")
        self.seen_ids.add(node_id)

    def discount(self, discount: Discount, path: str) -> None:
        self._identify(discount.id, path)
        self.benefit(discount.benefit, f"{path}.benefit")
        _dates(self, discount.valid_from, discount.valid_to, f"{path}.valid_to")
        seen_groups: set[str] = set()
        for index, refined in enumerate(discount.by_price_group):
            here = f"{path}.by_price_group[{index}]"
            if refined.price_group in seen_groups:
                self.add(here, "refinement_repeated", "one refinement per price group")
            seen_groups.add(refined.price_group)
            if _is_unit(refined.benefit) or _is_unit(discount.benefit):
                self.add(here, "refinement_needs_simple_benefit", "refine percents and amounts")
            self.benefit(refined.benefit, f"{here}.benefit")
        for index, condition in enumerate(discount.conditions):
            self.condition(condition, f"{path}.conditions[{index}]")

    def benefit(self, benefit: Benefit, path: str) -> None:
        if isinstance(benefit, PercentOff):
            _percent(self, benefit.percent, HUNDRED, f"{path}.percent")
        elif isinstance(benefit, AmountOff):
            _positive(self, benefit.amount_minor, f"{path}.amount_minor")
        elif isinstance(benefit, FixedPrice) and benefit.price_minor < 0:
            self.add(f"{path}.price_minor", "price_negative", "a fixed price is never negative")
        elif isinstance(benefit, Markup):
            self._markup(benefit, path)
        elif isinstance(benefit, QuantityDiscount):
            _at_least(self, benefit.every_nth, 2, f"{path}.every_nth")
            _percent(self, benefit.percent, HUNDRED, f"{path}.percent")
        elif isinstance(benefit, CheapestFree):
            _at_least(self, benefit.set_size, 2, f"{path}.set_size")
        elif isinstance(benefit, Gift):
            _at_least(self, benefit.required_qty, 1, f"{path}.required_qty")
            if benefit.gift_price_minor < 0:
                self.add(f"{path}.gift_price_minor", "price_negative", "a gift price is >= 0")
        if isinstance(benefit, QuantityDiscount | CheapestFree | Gift):
            if benefit.max_per_receipt is not None:
                _at_least(self, benefit.max_per_receipt, 1, f"{path}.max_per_receipt")

    def _markup(self, markup: Markup, path: str) -> None:
        if (markup.percent is None) == (markup.amount_minor is None):
            self.add(path, "markup_needs_percent_or_amount", "set a percent or an amount")
        elif markup.percent is not None:
            _percent(self, markup.percent, MAX_MARKUP_PERCENT, f"{path}.percent")
        else:
            _positive(self, markup.amount_minor or 0, f"{path}.amount_minor")

    def condition(self, condition: Condition, path: str) -> None:
        if isinstance(condition, ReceiptVolume):
            self._volume(condition, path)
        elif isinstance(condition, SegmentQuantity) and condition.min_quantity <= 0:
            self.add(f"{path}.min_quantity", "quantity_not_positive", "a floor must be > 0")
        elif isinstance(condition, DateRange):
            _dates(self, condition.start, condition.end, f"{path}.end")
        elif isinstance(condition, TimeOfSale):
            self._time(condition, path)
        elif isinstance(condition, PaymentForm | CardTypes | CashierGroup | CustomerSegment):
            self._choice(condition, path)
        elif isinstance(condition, StoreIn) and not condition.store_ids:
            self.add(f"{path}.store_ids", "choice_empty", "an empty list never matches")

    def _volume(self, volume: ReceiptVolume, path: str) -> None:
        if volume.min_amount_minor is None and volume.min_quantity is None:
            self.add(path, "volume_threshold_missing", "set an amount or a quantity floor")
        if volume.min_amount_minor is not None:
            _positive(self, volume.min_amount_minor, f"{path}.min_amount_minor")
        if volume.min_quantity is not None and volume.min_quantity <= 0:
            self.add(f"{path}.min_quantity", "quantity_not_positive", "a floor must be > 0")

    def _time(self, when: TimeOfSale, path: str) -> None:
        if any(not 0 <= day <= 6 for day in when.weekdays):
            self.add(f"{path}.weekdays", "weekday_out_of_range", "weekdays are 0 (Mon) to 6")
        for index, span in enumerate(when.ranges):
            if span.start == span.end:
                self.add(f"{path}.ranges[{index}]", "time_range_empty", "start equals end")

    def _choice(self, condition: Condition, path: str) -> None:
        name = {
            PaymentForm: "forms",
            CardTypes: "types",
            CashierGroup: "groups",
            CustomerSegment: "segments",
        }[type(condition)]
        if not getattr(condition, name):
            self.add(f"{path}.{name}", "choice_empty", "an empty list never matches")


def _is_unit(benefit: Benefit) -> bool:
    return isinstance(benefit, QuantityDiscount | CheapestFree | Gift)


def _percent(checker: _Checker, percent: Decimal, ceiling: Decimal, path: str) -> None:
    if not 0 < percent <= ceiling:
        checker.add(path, "percent_out_of_range", f"a percent is above 0 and at most {ceiling}")


def _positive(checker: _Checker, amount: int, path: str) -> None:
    if amount <= 0:
        checker.add(path, "amount_not_positive", "an amount must be above zero")


def _at_least(checker: _Checker, value: int, floor: int, path: str) -> None:
    if value < floor:
        checker.add(path, "quantity_too_small", f"must be at least {floor}")


def _dates(checker: _Checker, start: date | None, end: date | None, path: str) -> None:
    if start is not None and end is not None and start > end:
        checker.add(path, "dates_out_of_order", "the end comes before the start")
