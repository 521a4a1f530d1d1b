"""The buyer's allowances: amounts off the receipt taken last, on what the lines have left.

An allowance (a rebate settled as a discount) is money the buyer already has, not a promotion:
it competes with no rule, so it is not a node of the tree. After the tree has priced the
receipt, each allowance in turn takes at most what it has left and at most what the open lines
still cost, spread over them in proportion (exactly, by ``allocate``). Lines excluded from
discounts and gift lines are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence

from pos.core.money import allocate

from .basket import Basket
from .inputs import Allowance
from .model import Kind, Rule
from .result import AppliedDiscount, PricedLine

GROUP_ID = "allowances"
GROUP_NAME = "Allowances"


def take_allowances(lines: Sequence[PricedLine], basket: Basket,
                    allowances: Sequence[Allowance],
                    gift_line_nos: frozenset[int]) -> tuple[PricedLine, ...]:
    """Return the priced lines with each allowance taken off the open lines, in order."""
    priced = list(lines)
    open_nos = [index for index, line in enumerate(priced)
                if _is_open(basket, line.line_no, gift_line_nos)]
    for allowance in allowances:
        left = [priced[index].amount_minor for index in open_nos]
        total = sum(amount for amount in left if amount > 0)
        off = min(allowance.left_minor, total)
        if off <= 0:
            continue
        parts = allocate(off, [max(amount, 0) for amount in left])
        for index, part in zip(open_nos, parts, strict=True):
            if part:
                priced[index] = _less(priced[index], allowance, part)
    return tuple(priced)


def _is_open(basket: Basket, line_no: int, gift_line_nos: frozenset[int]) -> bool:
    line = basket.by_no[line_no]
    return line.is_discountable and not line.is_gift and line_no not in gift_line_nos


def _less(line: PricedLine, allowance: Allowance, part: int) -> PricedLine:
    applied = AppliedDiscount(allowance.id, allowance.name, Kind.ALLOWANCE, GROUP_ID,
                              GROUP_NAME, Rule.SUM, part)
    return PricedLine(line.line_no, line.base_amount_minor, line.discount_minor + part,
                      line.amount_minor - part, (*line.applied, applied), line.displaced)
