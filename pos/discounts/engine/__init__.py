"""The pure discount engine: rules in, an explained price of a receipt out.

Compile the rule tree once with :func:`compile_rules` when rules change, then call
:func:`price` per receipt. Stdlib and ``pos.core.money`` only: no database, no web framework.
"""

from .basket import EngineInputError
from .benefits import (
    AmountOff,
    Benefit,
    CheapestFree,
    FixedPrice,
    Gift,
    Markup,
    Per,
    PercentOff,
    QuantityDiscount,
)
from .conditions import (
    AccumulatedVolume,
    CardTypes,
    CashierGroup,
    Check,
    Condition,
    CustomerSegment,
    DateRange,
    FirstPurchase,
    FirstPurchaseFromSegment,
    PaymentForm,
    ReceiptVolume,
    SegmentQuantity,
    StoreIn,
    TimeOfSale,
    TimeRange,
)
from .engine import naive_price, price
from .index import CompiledRules, RulesError, compile_rules
from .inputs import Allowance, LineInput, ManualDiscount, PricingContext
from .model import Discount, Group, Kind, ManualSlot, PriceGroupBenefit, Rule, Scope
from .result import (
    AppliedDiscount,
    DisplacedDiscount,
    GiftLine,
    Hint,
    PricedLine,
    Pricing,
    TraceEntry,
)
from .validate import Problem, validate_discount, validate_tree

__all__ = [
    "AccumulatedVolume",
    "Allowance",
    "AmountOff",
    "AppliedDiscount",
    "Benefit",
    "CardTypes",
    "CashierGroup",
    "CheapestFree",
    "Check",
    "CompiledRules",
    "Condition",
    "CustomerSegment",
    "DateRange",
    "DisplacedDiscount",
    "Discount",
    "EngineInputError",
    "FirstPurchase",
    "FirstPurchaseFromSegment",
    "FixedPrice",
    "Gift",
    "GiftLine",
    "Group",
    "Hint",
    "Kind",
    "LineInput",
    "ManualDiscount",
    "ManualSlot",
    "Markup",
    "PaymentForm",
    "Per",
    "PercentOff",
    "PriceGroupBenefit",
    "PricedLine",
    "Pricing",
    "PricingContext",
    "Problem",
    "QuantityDiscount",
    "ReceiptVolume",
    "Rule",
    "RulesError",
    "Scope",
    "SegmentQuantity",
    "StoreIn",
    "TimeOfSale",
    "TimeRange",
    "TraceEntry",
    "compile_rules",
    "naive_price",
    "price",
    "validate_discount",
    "validate_tree",
]
