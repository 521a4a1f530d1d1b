"""Loyalty (cards, points, gift certificates, rebates): empty for now; later changes add each."""
