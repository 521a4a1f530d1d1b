"""The buyer's allowances: taken last, on what lines have left, never more than is left."""

from discount_builders import context, discounts_on, percent, priced, root, sell
from hypothesis import given, settings
from hypothesis import strategies as st

from pos.discounts.engine import Allowance, Kind, Rule, Scope

REBATE = Allowance("allowance:7", "Rebate allowance for ACME 2026, period 2026-Q4", 5000)


class TestTakenAfterTheRules:
    def test_an_allowance_comes_off_the_price_the_rules_left(self):
        lines = [sell(1, "OAT-MILK-1L"), sell(2, "CROISSANT")]
        tree = root(Rule.MAX, percent("ten", "10", scope=Scope.DOCUMENT))
        result = priced(tree, lines, context(allowances=(REBATE,)))
        # 10 % of 278.90 is 27.89; the allowance then takes 50.00 of the 251.01 left.
        assert result.discount_total_minor == 2789 + 5000
        assert result.total_minor == 27890 - 2789 - 5000
        assert sum(discounts_on(result, n).get("allowance:7", 0) for n in (1, 2)) == 5000

    def test_the_allowance_is_spread_in_proportion_and_adds_up_exactly(self):
        lines = [sell(n, "CROISSANT", unit_price_minor=100) for n in (1, 2, 3)]
        result = priced(root(Rule.SUM), lines, context(allowances=(
            Allowance("allowance:1", "Rebate", 100),)))
        assert [line.discount_minor for line in result.lines] == [34, 33, 33]

    def test_the_explanation_names_the_allowance_and_its_kind(self):
        result = priced(root(Rule.SUM), [sell(1, "OAT-MILK-1L")],
                        context(allowances=(REBATE,)))
        (applied,) = result.lines[0].applied
        assert (applied.name, applied.kind, applied.amount_minor) == (REBATE.name,
                                                                       Kind.ALLOWANCE, 5000)
        assert result.summary() == [{"discount_id": "allowance:7", "name": REBATE.name,
                                     "amount_minor": 5000}]


class TestNeverMoreThanThereIs:
    def test_an_allowance_larger_than_the_receipt_takes_only_the_receipt(self):
        result = priced(root(Rule.SUM), [sell(1, "CROISSANT")], context(allowances=(
            Allowance("allowance:1", "Rebate", 1_000_000),)))
        assert result.total_minor == 0
        assert result.lines[0].discount_minor == 8900

    def test_goods_excluded_from_discounts_and_gift_lines_keep_their_price(self):
        lines = [sell(1, "CIGARETTES"), sell(2, "CROISSANT"),
                 sell(3, "BRANDED-MUG", is_gift=True)]
        result = priced(root(Rule.SUM), lines, context(allowances=(
            Allowance("allowance:1", "Rebate", 1_000_000),)))
        assert [line.amount_minor for line in result.lines] == [25000, 0, 45000]

    def test_a_second_allowance_takes_only_what_the_first_left(self):
        first, second = Allowance("allowance:1", "Q3", 6000), Allowance("allowance:2", "Q4", 6000)
        result = priced(root(Rule.SUM), [sell(1, "CROISSANT")],
                        context(allowances=(first, second)))
        assert discounts_on(result, 1) == {"allowance:1": 6000, "allowance:2": 2900}

    def test_without_allowances_pricing_is_unchanged(self):
        tree = root(Rule.SUM, percent("ten", "10"))
        assert priced(tree, [sell(1, "CROISSANT")]).total_minor == 8010


LINES = st.lists(st.tuples(st.integers(0, 500_000), st.booleans(), st.booleans()),
                 min_size=1, max_size=6)
ALLOWANCES = st.lists(st.integers(0, 2_000_000), max_size=3)


class TestProperties:
    @given(LINES, ALLOWANCES)
    @settings(max_examples=200, deadline=None)
    def test_allowances_never_exceed_what_is_left_nor_make_a_line_negative(self, specs, lefts):
        lines = [sell(n + 1, "CROISSANT", unit_price_minor=price, is_discountable=discountable,
                      is_gift=gift) for n, (price, discountable, gift) in enumerate(specs)]
        allowances = tuple(Allowance(f"allowance:{n}", "Rebate", left)
                           for n, left in enumerate(lefts))
        result = priced(root(Rule.SUM, percent("ten", "10")), lines,
                        context(allowances=allowances))
        plain = priced(root(Rule.SUM, percent("ten", "10")), lines)
        open_total = sum(line.amount_minor for line, (_, discountable, gift)
                         in zip(plain.lines, specs, strict=True) if discountable and not gift)
        taken = {a.id: sum(discounts_on(result, n + 1).get(a.id, 0) for n in range(len(specs)))
                 for a in allowances}
        assert all(taken[a.id] <= a.left_minor for a in allowances)
        assert sum(taken.values()) == min(sum(lefts), open_total)
        assert all(line.amount_minor >= 0 for line in result.lines)
        assert result.total_minor == plain.total_minor - sum(taken.values())
