"""Properties over random receipts and rule trees: exact, never negative, indexed == naive."""

import dataclasses
import itertools
import json
import os
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from discount_builders import context
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pos.core.money import percent_of
from pos.discounts.engine import (
    AmountOff,
    CardTypes,
    CheapestFree,
    Discount,
    FirstPurchase,
    FirstPurchaseFromSegment,
    FixedPrice,
    Gift,
    Group,
    Kind,
    LineInput,
    ManualDiscount,
    ManualSlot,
    Markup,
    PaymentForm,
    Per,
    PercentOff,
    PriceGroupBenefit,
    QuantityDiscount,
    ReceiptVolume,
    Rule,
    Scope,
    SegmentQuantity,
    TimeOfSale,
    compile_rules,
    naive_price,
    price,
)

SEGMENTS = ["Coffee", "Dairy", "Bakery"]
ITEMS = [1, 2, 3, 4, 5]
FAST = settings(max_examples=150, deadline=None)

percents = st.integers(1, 10000).map(lambda hundredths: Decimal(hundredths) / 100)
quantities = st.sampled_from(["1", "2", "3", "5", "0.5", "1.250", "7"]).map(Decimal)
segment_sets = st.frozensets(st.sampled_from(SEGMENTS), max_size=2)
maybe_segment = st.none() | st.sampled_from(SEGMENTS)

lines_strategy = st.lists(
    st.builds(
        LineInput,
        line_no=st.just(0),
        item_id=st.sampled_from(ITEMS),
        quantity=quantities,
        unit_price_minor=st.integers(0, 50000),
        price_group=st.none() | st.sampled_from(["A", "B"]),
        segments=segment_sets,
        is_discountable=st.booleans() | st.just(True),
        is_gift=st.sampled_from([False, False, False, True]),
    ),
    min_size=1,
    max_size=8,
).map(lambda lines: [dataclasses.replace(ln, line_no=n) for n, ln in enumerate(lines, 1)])

simple_discounts = st.one_of(
    st.builds(PercentOff, percents),
    st.builds(AmountOff, st.integers(1, 20000), st.sampled_from(list(Per))),
    st.builds(FixedPrice, st.integers(0, 30000)),
)
markups = st.one_of(
    st.builds(Markup, percent=st.integers(1, 50).map(Decimal)),
    st.builds(Markup, amount_minor=st.integers(1, 5000), per=st.sampled_from(list(Per))),
)
caps = st.none() | st.integers(1, 2)
unit_benefits = st.one_of(
    st.builds(QuantityDiscount, st.integers(2, 4), percents, st.booleans(), caps),
    st.builds(CheapestFree, st.integers(2, 3), maybe_segment, caps),
    st.builds(
        Gift, st.integers(1, 3), maybe_segment, st.sampled_from(ITEMS), st.integers(0, 500), caps
    ),
)
conditions = st.lists(
    st.one_of(
        st.builds(ReceiptVolume, min_amount_minor=st.integers(1, 100000)),
        st.builds(ReceiptVolume, min_quantity=quantities, segment=maybe_segment),
        st.builds(
            ReceiptVolume,
            min_amount_minor=st.integers(1, 100000),
            min_quantity=quantities,
            segment=st.sampled_from(SEGMENTS),
        ),
        st.builds(SegmentQuantity, st.sampled_from(SEGMENTS), quantities),
        st.builds(FirstPurchaseFromSegment, st.sampled_from(SEGMENTS)),
        st.just(CardTypes(frozenset({"gold"}))),
        st.just(PaymentForm(frozenset({"cash"}))),
        st.just(TimeOfSale(weekdays=frozenset({4}))),
        st.just(FirstPurchase()),
    ),
    max_size=2,
).map(tuple)


@st.composite
def discounts(draw, benefits=None):
    any_benefit = st.one_of(simple_discounts, markups, unit_benefits)
    benefit = draw(any_benefit if benefits is None else benefits)
    refine = isinstance(benefit, PercentOff | AmountOff | FixedPrice) and draw(st.booleans())
    return Discount(
        id="",
        name="",
        benefit=benefit,
        kind=draw(st.sampled_from(list(Kind))),
        scope=draw(st.sampled_from(list(Scope))),
        conditions=draw(conditions),
        is_active=draw(st.booleans() | st.just(True)),
        segment=draw(st.none() | maybe_segment),
        item_ids=draw(st.frozensets(st.sampled_from(ITEMS), max_size=2)),
        price_groups=draw(st.frozensets(st.sampled_from(["A", "B"]), max_size=1)),
        by_price_group=(PriceGroupBenefit("A", PercentOff(draw(percents))),) if refine else (),
    )


def groups(children):
    return st.builds(
        lambda rule, kids, stack: Group("", "", rule, tuple(kids), stack),
        st.sampled_from(list(Rule)),
        st.lists(children, min_size=1, max_size=4),
        st.booleans(),
    )


trees = groups(st.recursive(discounts() | st.just(ManualSlot()), groups, max_leaves=10))

contexts = st.builds(
    lambda cards, forms, day, manual, bought: context(
        card_types=cards,
        payment_forms=forms,
        now_local=datetime(2025, 3, 14 + day, 12),
        card_id="C-1",
        is_first_purchase=True,
        manual_discounts=tuple(manual),
        segments_bought_before=bought,
    ),
    st.frozensets(st.just("gold")),
    st.frozensets(st.sampled_from(["cash", "card"])),
    st.integers(0, 1),
    st.lists(
        st.builds(
            ManualDiscount,
            id=st.sampled_from(["m1", "m2"]),
            line_no=st.none() | st.integers(1, 8),
            percent=st.none() | percents,
            amount_minor=st.integers(1, 3000),
        ),
        max_size=2,
    ),
    st.frozensets(st.sampled_from(SEGMENTS), max_size=1),
)


def numbered(tree: Group) -> Group:
    """Give every node a unique id and keep at most one manual slot."""
    counter = itertools.count(1)
    slots = itertools.count()

    def visit(node):
        if isinstance(node, Group):
            kids = tuple(k for k in map(visit, node.children) if k is not None)
            number = next(counter)
            return dataclasses.replace(node, id=f"g{number}", name=f"G{number}", children=kids)
        if isinstance(node, ManualSlot):
            return node if next(slots) == 0 else None
        number = next(counter)
        return dataclasses.replace(node, id=f"d{number}", name=f"D{number}")

    return visit(tree)


class TestIndexMatchesNaive:
    @FAST
    @given(trees.map(numbered), lines_strategy, contexts)
    def test_indexed_pricing_equals_naive_pricing(self, tree, lines, ctx):
        assert (
            price(lines, compile_rules(tree), ctx).to_dict()
            == naive_price(lines, tree, ctx).to_dict()
        )


def in_scope(tree: Group, scope: Scope) -> Group:
    """Put every discount of the tree in one scope."""
    kids = tuple(
        in_scope(node, scope)
        if isinstance(node, Group)
        else dataclasses.replace(node, scope=scope)
        if isinstance(node, Discount)
        else node
        for node in tree.children
    )
    return dataclasses.replace(tree, children=kids)


class TestIndexMatchesNaiveInEachScope:
    @FAST
    @given(trees.map(numbered), lines_strategy, contexts, st.sampled_from(list(Scope)))
    def test_indexed_pricing_equals_naive_pricing_with_every_discount_in_one_scope(
        self, tree, lines, ctx, scope
    ):
        tree = in_scope(tree, scope)
        assert (
            price(lines, compile_rules(tree), ctx).to_dict()
            == naive_price(lines, tree, ctx).to_dict()
        )


line_volumes = st.one_of(
    st.builds(ReceiptVolume, min_amount_minor=st.integers(1, 60000), segment=maybe_segment),
    st.builds(ReceiptVolume, min_quantity=quantities, segment=maybe_segment),
    st.builds(SegmentQuantity, st.sampled_from(SEGMENTS), quantities),
)


def meets_on_its_own(condition, line: LineInput, amount: int) -> bool:
    """Say whether one line alone meets a volume condition (the seed's "в строке")."""
    if condition.segment is not None and condition.segment not in line.segments:
        return False
    if getattr(condition, "min_amount_minor", None) and amount < condition.min_amount_minor:
        return False
    return condition.min_quantity is None or line.quantity >= condition.min_quantity


class TestLineScope:
    @FAST
    @given(lines_strategy, line_volumes, percents)
    def test_a_line_discount_goes_exactly_to_the_lines_that_meet_the_condition_alone(
        self, lines, condition, pct
    ):
        discount = Discount("d", "D", PercentOff(pct), conditions=(condition,))
        result = price(
            lines, compile_rules(Group("root", "Root", Rule.SUM, (discount,))), context()
        )
        for line, given_line in zip(result.lines, lines, strict=True):
            eligible = given_line.is_discountable and not given_line.is_gift
            if not (eligible and meets_on_its_own(condition, given_line, line.base_amount_minor)):
                assert line.applied == ()
            elif percent_of(line.base_amount_minor, pct):
                assert [a.discount_id for a in line.applied] == ["d"]

    @FAST
    @given(lines_strategy, line_volumes)
    def test_every_line_hint_is_about_a_line_that_misses_the_condition(self, lines, condition):
        discount = Discount("d", "D", PercentOff(Decimal(5)), conditions=(condition,))
        result = price(
            lines, compile_rules(Group("root", "Root", Rule.SUM, (discount,))), context()
        )
        by_no = {line.line_no: line for line in lines}
        amounts = {line.line_no: line.base_amount_minor for line in result.lines}
        for hint in result.hints:
            assert hint.line_no is not None
            assert not meets_on_its_own(condition, by_no[hint.line_no], amounts[hint.line_no])

    @FAST
    @given(lines_strategy, contexts, percents)
    def test_facts_about_the_sale_give_a_line_discount_to_every_line_or_none(self, lines, ctx, pct):
        facts = (CardTypes(frozenset({"gold"})), PaymentForm(frozenset({"cash"})))
        by_line = Discount("d", "D", PercentOff(pct), conditions=facts)
        ctx = dataclasses.replace(ctx, manual_discounts=())
        result = price(lines, compile_rules(Group("root", "Root", Rule.SUM, (by_line,))), ctx)
        fired = "gold" in ctx.card_types and "cash" in ctx.payment_forms
        for line, given_line in zip(result.lines, lines, strict=True):
            if not fired:
                assert line.applied == ()
            elif given_line.is_discountable and not given_line.is_gift:
                assert line.discount_minor == percent_of(line.base_amount_minor, pct)


def max_group_with_and_without(kids, extra, at, lines, ctx):
    """Price the lines under a MAX group of the kids, then with ``extra`` inserted at ``at``."""
    with_extra = [*kids]
    with_extra.insert(at, extra)
    trees = (Group("", "", Rule.MAX, tuple(kids)), Group("", "", Rule.MAX, tuple(with_extra)))
    return tuple(price(lines, compile_rules(numbered(tree)), ctx) for tree in trees)


class TestInvariants:
    @FAST
    @given(trees.map(numbered), lines_strategy, contexts)
    def test_no_line_below_zero_and_every_line_adds_up(self, tree, lines, ctx):
        result = price(lines, compile_rules(tree), ctx)
        for line in result.lines:
            assert line.amount_minor >= 0
            assert line.discount_minor == sum(a.amount_minor for a in line.applied)
            assert line.amount_minor == line.base_amount_minor - line.discount_minor
        assert (
            result.total_minor
            == sum(ln.base_amount_minor for ln in result.lines) - result.discount_total_minor
        )

    @FAST
    @given(trees.map(numbered), lines_strategy, contexts)
    def test_the_same_input_gives_the_same_output(self, tree, lines, ctx):
        first = price(lines, compile_rules(tree), ctx).to_dict()
        rebuilt = json.loads(json.dumps(first))
        again = price(list(lines), compile_rules(numbered(tree)), ctx).to_dict()
        assert again == rebuilt

    @FAST
    @given(trees.map(numbered), lines_strategy, contexts)
    def test_nothing_but_a_gift_lands_on_a_gift_line(self, tree, lines, ctx):
        gift_ids = set()

        def collect(node):
            if isinstance(node, Group):
                for child in node.children:
                    collect(child)
            elif isinstance(node, Discount) and isinstance(node.benefit, Gift):
                gift_ids.add(node.id)

        collect(tree)
        result = price(lines, compile_rules(tree), ctx)
        for line, given_line in zip(result.lines, lines, strict=True):
            records = [*line.applied, *line.displaced]
            if given_line.is_gift or any(r.discount_id in gift_ids for r in records):
                assert {a.discount_id for a in line.applied} <= gift_ids

    @FAST
    @given(
        st.lists(discounts(st.one_of(simple_discounts, unit_benefits)), max_size=5),
        discounts(st.one_of(simple_discounts, unit_benefits)),
        st.integers(0, 5),
        lines_strategy,
        contexts,
    )
    def test_another_discount_in_a_max_group_raises_no_price_unless_it_makes_a_gift_line(
        self, kids, extra, at, lines, ctx
    ):
        # A new gift line is priced as if the till had flagged it: the other discounts are
        # reckoned without it, which can raise a paid line (test_discount_gift_lines).
        before, after = max_group_with_and_without(kids, extra, at, lines, ctx)
        assume(after.gifted_line_nos == before.gifted_line_nos)
        for old, new in zip(before.lines, after.lines, strict=True):
            assert new.amount_minor <= old.amount_minor

    @FAST
    @given(lines_strategy, percents, maybe_segment)
    def test_a_document_percent_is_split_to_the_kopeck(self, lines, pct, segment):
        receipt = Discount("r", "Receipt", PercentOff(pct), scope=Scope.DOCUMENT, segment=segment)
        result = price(lines, compile_rules(Group("root", "Root", Rule.SUM, (receipt,))), context())
        eligible = sum(
            line.base_amount_minor
            for line, given_line in zip(result.lines, lines, strict=True)
            if receipt.matches(given_line)
        )
        assert result.discount_total_minor == percent_of(eligible, pct)


DETERMINISM_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from discount_builders import context, percent, priced, root, sell
from pos.discounts.engine import CheapestFree, Discount, Gift, Group, Rule, Scope
tree = root(Rule.SUM,
    Group("best", "Best", Rule.MAX,
          (percent("coffee", "10", segment="Coffee"), percent("all", "7"))),
    Discount("3for2", "3 for 2", CheapestFree(3)),
    Discount("mug", "Mug", Gift(2, "Coffee", 107)),
    percent("doc", "3", scope=Scope.DOCUMENT))
lines = [sell(1, "ESPRESSO-BEANS-1KG", "3"), sell(2, "FILTER-COFFEE-250G", "2"),
         sell(3, "OAT-MILK-1L", "1.5"), sell(4, "CROISSANT", "4")]
print(json.dumps(priced(tree, lines).to_dict(), sort_keys=True))
"""


def test_output_does_not_depend_on_the_hash_seed():
    here = str(Path(__file__).parent)
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", DETERMINISM_SCRIPT, here],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=Path(here).parents[2],
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1
