"""The rule tree: discounts (leaves), groups with a combination rule, and the manual slot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .benefits import Benefit, CheapestFree, Gift, Per
from .conditions import CardTypes, Condition, CustomerSegment, DateRange, StoreIn
from .inputs import LineInput


class Rule(StrEnum):
    """Say how a group combines what fires inside it."""

    SUM = "sum"
    MAX = "max"
    MIN = "min"
    MULTIPLY = "multiply"
    PRIORITY = "priority"


class Kind(StrEnum):
    """Say where a discount comes from; the engine only reports it."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"
    CARD = "card"
    CAMPAIGN = "campaign"
    ALLOWANCE = "allowance"  # the buyer's own allowance, never a rule of the tree


class Scope(StrEnum):
    """Say whether the benefit is priced per line or on the lines' total and spread."""

    LINE = "line"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class PriceGroupBenefit:
    """Replace a discount's benefit for the lines of one price group."""

    price_group: str
    benefit: Benefit


@dataclass(frozen=True, slots=True)
class Discount:
    """Describe a discount or markup: benefit, conditions, scope and the lines it may touch.

    The line restrictions (``item_ids``, ``segment``, ``price_groups``) all apply when set; an
    empty one does not restrict. ``stores``, ``customer_segments``, ``card_types`` and the
    validity dates are conditions like any other, kept as fields because campaigns and card
    programs are set up that way. ``line_nos`` pins a cashier's manual discount to its line.
    """

    id: str
    name: str
    benefit: Benefit
    kind: Kind = Kind.AUTOMATIC
    scope: Scope = Scope.LINE
    conditions: tuple[Condition, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    is_active: bool = True
    segment: str | None = None
    item_ids: frozenset[int] = frozenset()
    price_groups: frozenset[str] = frozenset()
    by_price_group: tuple[PriceGroupBenefit, ...] = ()
    store_ids: frozenset[int] = frozenset()
    customer_segments: frozenset[str] = frozenset()
    card_types: frozenset[str] = frozenset()
    line_nos: frozenset[int] = frozenset()

    def all_conditions(self) -> tuple[Condition, ...]:
        """Return the explicit conditions plus those the campaign and card fields imply."""
        implied: list[Condition] = []
        if self.valid_from is not None or self.valid_to is not None:
            implied.append(DateRange(self.valid_from, self.valid_to))
        if self.store_ids:
            implied.append(StoreIn(self.store_ids))
        if self.customer_segments:
            implied.append(CustomerSegment(self.customer_segments))
        if self.card_types:
            implied.append(CardTypes(self.card_types))
        # Cheap context checks first: most campaigns fail on dates or stores.
        return (*implied, *self.conditions)

    @property
    def qualifying_segment(self) -> str | None:
        """Return the segment a line must be in: the discount's, else the benefit's."""
        if self.segment is not None:
            return self.segment
        if isinstance(self.benefit, CheapestFree):
            return self.benefit.segment
        if isinstance(self.benefit, Gift):
            return self.benefit.required_segment
        return None

    @property
    def spreads_total(self) -> bool:
        """Tell whether the benefit is priced on the lines' total and spread over them."""
        return self.scope is Scope.DOCUMENT or getattr(self.benefit, "per", None) is Per.DOCUMENT

    def benefit_for(self, line: LineInput) -> Benefit:
        """Return the benefit refined for the line's price group, else the default one."""
        for refined in self.by_price_group:
            if refined.price_group == line.price_group:
                return refined.benefit
        return self.benefit

    def matches(self, line: LineInput) -> bool:
        """Tell whether the discount may touch the line (gift and excluded lines never)."""
        if not line.is_discountable or line.is_gift:
            return False
        if self.item_ids and line.item_id not in self.item_ids:
            return False
        segment = self.qualifying_segment
        if segment is not None and segment not in line.segments:
            return False
        # A benefit's own segment narrows further when the discount names another one.
        benefit_segment = getattr(self.benefit, "segment", None)
        if benefit_segment is not None and benefit_segment not in line.segments:
            return False
        if self.price_groups and line.price_group not in self.price_groups:
            return False
        return not self.line_nos or line.line_no in self.line_nos


@dataclass(frozen=True, slots=True)
class ManualSlot:
    """Mark where in the tree the cashier's manual discounts join, in the context's order."""


@dataclass(frozen=True, slots=True)
class Group:
    """Combine child discounts and groups by ``rule``; the root of the tree is a group too.

    Without ``allow_stacking`` the units a quantity, cheapest-free or gift benefit consumed are
    not used again by another such benefit of the same group.
    """

    id: str
    name: str
    rule: Rule
    children: tuple[Discount | Group | ManualSlot, ...] = ()
    allow_stacking: bool = False


Node = Discount | Group | ManualSlot
