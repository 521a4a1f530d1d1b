"""Loyalty cards: card types, cards and their holders, the card at the till."""
