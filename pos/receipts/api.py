"""HTTP endpoints of receipts and returns."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from pos.core.security import Right
from pos.core.web import (
    ApiBlueprint,
    KeyedReply,
    authenticate,
    current_db,
    idempotent,
    idempotent_in_transaction,
    till_header,
    use_case,
)
from pos.receipts import manual, opening, returns, search, service
from pos.receipts import quote as quoting
from pos.receipts.lines import LineRequest
from pos.receipts.report import discount_report
from pos.receipts.schemas import (
    DiscountReportSchema,
    LineAddedSchema,
    LineChangeSchema,
    LineInSchema,
    ManualDiscountInSchema,
    NewReceiptSchema,
    NewReceiptViewArgsSchema,
    NewReturnSchema,
    PaymentInSchema,
    QuoteResultSchema,
    QuoteSchema,
    QuoteViewArgsSchema,
    ReceiptHeadSchema,
    ReceiptPageSchema,
    ReceiptQuerySchema,
    ReceiptSchema,
    ViewArgsSchema,
)

blp = ApiBlueprint("receipts", __name__, url_prefix="/api/v1",
                   description="Receipts, payments and returns")
RECEIPT = ReceiptSchema()  # one instance: its compiled dump plan is kept with it
RECEIPT_HEAD = ReceiptHeadSchema()
LINE_ADDED = LineAddedSchema()
QUOTE, QUOTE_VIEW = QuoteSchema(), QuoteViewArgsSchema()  # built once, not on every quote


def _payment(data: dict[str, Any]) -> service.PaymentRequest:
    return service.PaymentRequest(type=data["type"], amount_minor=data["amount"],
                                  card_brand=data.get("card_brand"),
                                  card_last4=data.get("card_last4"),
                                  terminal_ref=data.get("terminal_ref"),
                                  details=data.get("details") or {})


def _as_receipt(answer: Any) -> Any:
    # An answer not already a response (no key stored one) is the receipt, dumped here: the
    # route declares the compact schema, which would dump it otherwise.
    return _dumped(RECEIPT, answer)


def _dumped(schema: ReceiptSchema | ReceiptHeadSchema | LineAddedSchema, answer: Any) -> Any:
    # ``answer`` dumped by ``schema`` when it is (result, status) rather than a response.
    if isinstance(answer, tuple):
        result, status = answer
        return current_app.response_class(current_app.json.dumps(schema.dump(result)),
                                           status=status, mimetype="application/json")
    return answer


@blp.route("/receipts")
class Receipts(MethodView):
    """Receipts."""

    @blp.requires(Right.SELL)
    @blp.arguments(ReceiptQuerySchema, location="query")
    @blp.response(200, ReceiptPageSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Find receipts by till, shift, state, kind, number and time, newest first."""
        filters = search.ReceiptQuery(
            till_id=query.get("till"), shift_id=query.get("shift"), state=query.get("state"),
            kind=query.get("kind"), number=query.get("number"),
            opened_or_closed_from=query.get("from_"), opened_or_closed_to=query.get("to"))
        return search.list_receipts(current_db(), filters, page=query["page"],
                                    page_size=query["page_size"], viewer=authenticate())

    @idempotent_in_transaction
    @blp.requires(Right.SELL)
    @blp.approvable
    @blp.arguments(NewReceiptSchema)
    @blp.arguments(NewReceiptViewArgsSchema, location="query")
    @blp.response(201, ReceiptHeadSchema, description=(
        "compact (default): the receipt's head and totals (what an uploading till needs: id, "
        "number, state, totals, change, print notes); with ?view=full the whole receipt as "
        "ReceiptSchema (as GET answers)"))
    @blp.alt_response(200, schema=ReceiptHeadSchema,
                      description="already uploaded (same UUID), in the view asked for")
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any], args: dict[str, Any]) -> Any:
        """Open a receipt; with lines and covering payments it is priced, paid and closed."""
        cmd = opening.NewReceipt(
            till_id=data["till_id"], client_uuid=data.get("client_uuid"),
            lines=tuple(LineRequest(**line) for line in data["lines"]),
            payments=tuple(_payment(p) for p in data["payments"]),
            card_code=data.get("card_code"), customer_ref=data.get("customer_ref"),
            sold_at=data.get("sold_at"))
        schema = RECEIPT if args["view"] == "full" else RECEIPT_HEAD
        reply = KeyedReply(schema, 201)
        opened = opening.create_receipt(use_case(), cmd, reply)
        return _dumped(schema, reply.response(opened.receipt, 201 if opened.is_new else 200))


@blp.route("/receipts/quote")
class Quote(MethodView):
    """Quote."""

    @blp.requires(Right.SELL)
    @blp.arguments(QUOTE)
    @blp.arguments(QUOTE_VIEW, location="query")
    @blp.response(200, QuoteResultSchema, description=(
        "compact (default): the priced lines, totals, hints and gift lines; with ?view=full "
        "also pricing_trace"))
    def post(self, data: dict[str, Any], args: dict[str, Any]) -> Any:
        """Price a basket without saving it."""
        basket = quoting.Basket.of(data)
        return quoting.quote(use_case(), basket, explain=args["view"] == "full")


@blp.route("/receipts/<int:receipt_id>")
class ReceiptById(MethodView):
    """One receipt."""

    @blp.requires(Right.SELL)
    @blp.response(200, ReceiptSchema)
    def get(self, receipt_id: int) -> Any:
        """Return a receipt."""
        return service.get_receipt(current_db(), receipt_id, authenticate())


@blp.route("/receipts/<int:receipt_id>/lines")
class Lines(MethodView):
    """Lines of a receipt."""

    @idempotent_in_transaction
    @blp.requires(Right.SELL)
    @blp.approvable
    @blp.till_scoped
    @blp.arguments(LineInSchema)
    @blp.arguments(ViewArgsSchema, location="query")
    @blp.response(201, LineAddedSchema, description=(
        "compact (default): the line, the other lines its pricing changed, the totals; with "
        "?view=full the whole receipt as ReceiptSchema (as GET answers)"))
    @blp.alt_response(503, schema="Problem")  # the till's scale could not be read
    def post(self, data: dict[str, Any], args: dict[str, Any], receipt_id: int) -> Any:
        """Add a line by SKU or any barcode (weight barcodes give the quantity)."""
        if args["view"] == "full":
            reply = KeyedReply(RECEIPT, 201)
            added = service.sell_line(use_case(till_header()), receipt_id, LineRequest(**data),
                                      lambda session, done: reply(session, done.receipt))
            return _as_receipt(reply.response(added.receipt, 201))
        reply = KeyedReply(LINE_ADDED, 201)
        added = service.sell_line(use_case(till_header()), receipt_id, LineRequest(**data),
                                  reply)
        return reply.response(added, 201)


@blp.route("/receipts/<int:receipt_id>/lines/<int:line_no>")
class LineByNo(MethodView):
    """One line."""

    @blp.requires(Right.SELL)
    @blp.approvable
    @blp.till_scoped
    @blp.arguments(LineChangeSchema)
    @blp.response(200, ReceiptSchema)
    def patch(self, data: dict[str, Any], receipt_id: int, line_no: int) -> Any:
        """Change a line's quantity."""
        change = service.LineChange(data["quantity"], data.get("weight_source"))
        return service.change_line(use_case(till_header()), receipt_id, line_no, change)

    @blp.requires(Right.SELL)
    @blp.approvable
    @blp.till_scoped
    @blp.response(200, ReceiptSchema)
    def delete(self, receipt_id: int, line_no: int) -> Any:
        """Remove a line."""
        return service.remove_line(use_case(till_header()), receipt_id, line_no)


@blp.route("/receipts/<int:receipt_id>/payments")
class Payments(MethodView):
    """Payments of a receipt."""

    @idempotent_in_transaction
    @blp.requires(Right.SELL)
    @blp.approvable
    @blp.till_scoped
    @blp.arguments(PaymentInSchema)
    @blp.response(201, ReceiptSchema)
    def post(self, data: dict[str, Any], receipt_id: int) -> Any:
        """Take a payment (cash may exceed what is due and gives change)."""
        reply = KeyedReply(RECEIPT, 201)
        receipt = service.add_payment(use_case(till_header()), receipt_id, _payment(data),
                                      reply)
        return reply.response(receipt, 201)


@blp.route("/receipts/<int:receipt_id>/payments/<int:seq>")
class PaymentBySeq(MethodView):
    """One payment of an open receipt."""

    @blp.requires(Right.SELL)
    @blp.approvable
    @blp.till_scoped
    @blp.response(200, ReceiptSchema)
    @blp.alt_response(404, schema="Problem")
    def delete(self, receipt_id: int, seq: int) -> Any:
        """Take back a payment (a declined card, a mistyped amount) before the receipt closes."""
        return service.remove_payment(use_case(till_header()), receipt_id, seq)


@blp.route("/receipts/<int:receipt_id>/close")
class Close(MethodView):
    """Close a receipt."""

    @idempotent_in_transaction
    @blp.requires(Right.SELL)
    @blp.approvable
    @blp.till_scoped
    @blp.response(200, ReceiptSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, receipt_id: int) -> Any:
        """Close a fully paid receipt: it gets its number, journal entry and fiscal job."""
        reply = KeyedReply(RECEIPT, 200)
        receipt = service.close_receipt(use_case(till_header()), receipt_id, reply)
        return reply.response(receipt, 200)


@blp.route("/receipts/<int:receipt_id>/void")
class Void(MethodView):
    """Void a receipt."""

    @idempotent
    @blp.requires(Right.SELL)
    @blp.approvable
    @blp.till_scoped
    @blp.response(200, ReceiptSchema)
    def post(self, receipt_id: int) -> Any:
        """Void an open receipt (with lines: needs a manager's approval)."""
        return service.void_receipt(use_case(till_header()), receipt_id)


@blp.route("/returns")
class Returns(MethodView):
    """Returns."""

    @idempotent_in_transaction
    @blp.requires(Right.RETURN_WITH_RECEIPT)
    @blp.approvable
    @blp.arguments(NewReturnSchema)
    @blp.response(201, ReceiptSchema)
    @blp.alt_response(200, schema=ReceiptSchema, description="already recorded (same UUID)")
    def post(self, data: dict[str, Any]) -> Any:
        """Return goods; without the original receipt a manager approves and cash refunds."""
        cmd = returns.NewReturn(
            till_id=data["till_id"], original_receipt_id=data["original_receipt_id"],
            client_uuid=data.get("client_uuid"),
            lines=tuple(returns.ReturnLine(**line) for line in data["lines"]))
        reply = KeyedReply(RECEIPT, 201)
        opened = returns.create_return(use_case(), cmd, reply)
        return reply.response(opened.receipt, 201 if opened.is_new else 200)


@blp.route("/receipts/<int:receipt_id>/manual-discounts")
class ManualDiscounts(MethodView):
    """Manual discounts of a receipt."""

    @idempotent
    @blp.requires(Right.SELL)
    @blp.approvable
    @blp.till_scoped
    @blp.arguments(ManualDiscountInSchema)
    @blp.response(201, ReceiptSchema)
    def post(self, data: dict[str, Any], receipt_id: int) -> Any:
        """Give a manual discount; above the cashier's limit it needs a manager's approval."""
        return manual.give(use_case(till_header()), receipt_id, manual.ManualRequest(**data))


@blp.route("/receipts/<int:receipt_id>/manual-discounts/<int:discount_id>")
class ManualDiscountById(MethodView):
    """One manual discount."""

    @blp.requires(Right.SELL)
    @blp.approvable
    @blp.till_scoped
    @blp.response(200, ReceiptSchema)
    def delete(self, receipt_id: int, discount_id: int) -> Any:
        """Take a manual discount back."""
        return manual.withdraw(use_case(till_header()), receipt_id, discount_id)


@blp.route("/receipts/<int:receipt_id>/discounts")
class ReceiptDiscounts(MethodView):
    """The applied-discounts report."""

    @blp.requires(Right.SELL)
    @blp.response(200, DiscountReportSchema)
    def get(self, receipt_id: int) -> Any:
        """Explain every discount of a receipt: what fired, by which rule, what was displaced."""
        return discount_report(service.get_receipt(current_db(), receipt_id, authenticate()))
