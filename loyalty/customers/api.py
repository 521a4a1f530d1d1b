"""HTTP endpoints of wholesale customers: register, change, payments, account, partners."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from loyalty.customers import account, service
from loyalty.customers.schemas import (
    AccountEntrySchema,
    CustomerPaymentSchema,
    CustomerSchema,
    CustomerUpdateSchema,
    NewCustomerSchema,
    PartnerSchema,
)
from pos.core.security import Right
from pos.core.web import ApiBlueprint, current_db, idempotent, use_case

blp = ApiBlueprint("customers", __name__, url_prefix="/api/v1",
                   description="Wholesale customers, their account and partners")


@blp.route("/customers")
class Customers(MethodView):
    """Wholesale customers."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.response(200, CustomerSchema(many=True))
    def get(self) -> Any:
        """List customers."""
        return service.list_customers(current_db())

    @idempotent
    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(NewCustomerSchema)
    @blp.response(201, CustomerSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any]) -> Any:
        """Register a customer."""
        return service.create_customer(use_case(), service.NewCustomer(**data))


@blp.route("/customers/<int:customer_id>")
class CustomerById(MethodView):
    """One customer."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.response(200, CustomerSchema)
    def get(self, customer_id: int) -> Any:
        """Show a customer with its debt and rebate credit."""
        return service.find_customer(current_db(), customer_id)

    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(CustomerUpdateSchema)
    @blp.response(200, CustomerSchema)
    def patch(self, changes: dict[str, Any], customer_id: int) -> Any:
        """Change a customer."""
        return service.update_customer(use_case(), customer_id, changes)


@blp.route("/customers/<int:customer_id>/payments")
class CustomerPayments(MethodView):
    """Payments of a customer's debt."""

    @idempotent
    @blp.requires(Right.MANAGE_DISCOUNTS)
    @blp.arguments(CustomerPaymentSchema)
    @blp.response(201, CustomerSchema)
    @blp.alt_response(409, schema="Problem")
    def post(self, data: dict[str, Any], customer_id: int) -> Any:
        """Record a payment of the customer's debt."""
        return account.register_payment(use_case(), customer_id, data["amount_minor"],
                                        data["reference"])


@blp.route("/customers/<int:customer_id>/account")
class CustomerAccount(MethodView):
    """A customer's account entries."""

    @blp.requires(Right.VIEW_REPORTS)
    @blp.response(200, AccountEntrySchema(many=True))
    def get(self, customer_id: int) -> Any:
        """List the latest moves of the customer's debt and rebate credit."""
        return account.entries(current_db(), customer_id)


@blp.route("/customers/<int:customer_id>/partners")
class CustomerPartners(MethodView):
    """Users who sign in for a customer."""

    @blp.requires(Right.MANAGE_USERS)
    @blp.arguments(PartnerSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any], customer_id: int) -> Any:
        """Let a user sign in for the customer and see its agreements, and only those."""
        service.link_partner(use_case(), customer_id, data["user_id"])
