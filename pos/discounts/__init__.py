"""Discounts and markups: rules, combination and explainable pricing of a receipt."""
