"""Loyalty features (cards, points, gift certificates, rebates); none is built yet."""
