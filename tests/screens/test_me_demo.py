"""The demo's ``/me`` logins (``make run``, README): a holder's card and a partner."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from pos.demo import DEMO_PARTNER, load_demo
from tests.database_state import built_once
from tests.screens.test_me import MeScreen, card_ids


@pytest.fixture
def demo_me(app: Flask, db, fixed_clock) -> MeScreen:  # type: ignore[no-untyped-def]
    """``/me`` on the demo data, not signed in."""
    with app.app_context():
        assert built_once(db, ("demo", fixed_clock.now()),
                          lambda: load_demo(db, fixed_clock.now(), item_count=30))
    return MeScreen(app.test_client())


def test_the_demo_holder_signs_in_with_the_readme_card_and_pin(demo_me):
    assert demo_me.sign_in("2900000000018", "1234").status_code == 302
    html = demo_me.text("/me/cards")
    assert len(card_ids(html)) == 1 and "…0018" in html
    assert '<dd class="balance">500.00</dd>' in html


def test_the_demo_partner_sees_aromas_agreement_and_not_corners(demo_me):
    username, password = DEMO_PARTNER
    assert demo_me.sign_in_partner(username, password).status_code == 302
    html = demo_me.text("/me/partner")
    assert len(re.findall(r'data-agreement="\d+"', html)) == 1
    assert "Aroma" in html and "Corner" not in html
