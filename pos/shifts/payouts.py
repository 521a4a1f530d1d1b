"""A gift certificate's small remainder paid out in cash from the shift's drawer.

When a redemption leaves less on a certificate than its type's ``cash_out_below``, the till may
pay the rest out: loyalty empties the certificate (a ``payout`` entry on its ledger) and the
drawer's cash out is recorded and journaled like any other, all in one transaction. Shifts call
loyalty here, never the other way round.
"""

from __future__ import annotations

from loyalty.gift_certificates.codes import CodeBook
from loyalty.gift_certificates.ledger import Where
from loyalty.gift_certificates.payout import pay_out_remainder
from pos.core.context import Context
from pos.shifts.model import CASH_OUT, CashMovement
from pos.shifts.report import shift_totals
from pos.shifts.service import record_movement, shift_to_act_on


def pay_out_certificate(ctx: Context, codes: CodeBook, shift_id: int, code: str
                        ) -> CashMovement:
    """Pay a certificate's remainder below its type's threshold out of the shift's drawer."""
    actor, now = ctx.actor, ctx.now
    with ctx.db.transaction() as session:
        shift = shift_to_act_on(session, actor, shift_id, "gift_certificate_payout", now)
        paid = pay_out_remainder(session, ctx, codes, code, Where(
            at=now, user_id=actor.user_id, store_id=shift.store_id, shift_id=shift.id,
            note="remainder paid in cash"))
        shift.ensure_can_pay_out(paid.amount_minor,
                                 shift_totals(session, shift)["cash"]["expected_minor"])
        return record_movement(session, shift, CASH_OUT, paid.amount_minor,
                               f"gift certificate {paid.shown}: remainder paid in cash",
                               user_id=actor.user_id, approved_by_id=None, now=now)
