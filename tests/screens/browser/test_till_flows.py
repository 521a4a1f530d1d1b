"""User flows at the till in Chromium: scanner sale with mixed payment, keyboard only, X report.

Also measures (prints, does not assert) the scan-to-line time at p95 and the first load's
transfer size; the figures are kept in ``tmp/artifacts/till-figures.json``.
"""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path
from typing import Any

from pos.core.barcode import encode_weight_barcode
from tests.helpers import BANANA_PLU, MILK_EAN, OAT_MILK_EAN
from tests.screens.browser.conftest import ARTIFACTS, LiveServer

DOCS = Path(__file__).parents[3] / "docs"


class Till:
    """The till page as a cashier works it: keys and a scanner, nothing else."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def sign_in(self, user: str = "cashier", pin: str = "1111") -> None:
        """Sign in from the keyboard: the user field has focus; Tab to the PIN; Enter."""
        self.page.goto("/till")
        self.ready("#username:focus")
        self.page.keyboard.type(user)
        self.page.keyboard.press("Tab")
        self.page.keyboard.type(pin)
        self.page.keyboard.press("Enter")
        self.ready("#float:focus")

    def open_shift(self, float_: str = "1000") -> None:
        """Type the counted float into the focused field and press Enter."""
        self.page.keyboard.type(float_)
        self.page.keyboard.press("Enter")
        self.ready("#code:focus")

    def ready(self, focused: str) -> None:
        """Wait until the page is wired (htmx and our module ran) and ``focused`` has focus.

        One selector, so both hold on the same page: after a navigation the old page is still
        wired, and the new one focuses its autofocus field before its scripts have run.
        """
        self.page.wait_for_selector(f"body[data-ready] {focused}")

    def scan(self, code: str) -> None:
        """Send a code as a keyboard-wedge scanner does: a burst of keys, then Enter."""
        self.page.keyboard.type(code)
        self.page.keyboard.press("Enter")

    def type_slowly(self, text: str) -> None:
        """Type as a person does (120 ms a key), then Enter."""
        self.page.keyboard.type(text, delay=120)
        self.page.keyboard.press("Enter")

    def line(self, sku: str) -> Any:
        """Return the receipt line of ``sku`` once it is shown."""
        return self.page.wait_for_selector(f'#receipt tr.line[data-sku="{sku}"]')

    def pay(self, key: str, amount: str = "") -> None:
        """Open a payment panel by its F-key, type the amount (or none: what is due), Enter."""
        self.page.keyboard.press(key)
        self.page.wait_for_selector(".panel:not([hidden]) input:focus")
        self.page.keyboard.type(amount)
        self.page.keyboard.press("Enter")
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('.panel')].every(p => p.hidden)")

    def text(self, selector: str) -> str:
        """Return the text of an element once it is shown."""
        return str(self.page.wait_for_selector(selector).inner_text()).strip()

    def approve_in_place(self, user: str = "manager", pin: str = "2222") -> None:
        """Answer the approval the till asks for: the manager types their name and PIN."""
        self.page.wait_for_selector("#approval-user:focus")
        assert "approval" in self.text("#message .problem")
        self.page.keyboard.type(user)
        self.page.keyboard.press("Tab")
        self.page.keyboard.type(pin)
        self.page.keyboard.press("Enter")


def _weight_code(live_server: LiveServer, grams: int) -> str:
    layout = live_server.app.extensions["pos.barcode_layouts"][0]
    return encode_weight_barcode("21", BANANA_PLU, grams, layout)


def _save_figures(**figures: Any) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "till-figures.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known.update(figures)
    path.write_text(json.dumps(known, indent=2))
    print(f"till figures: {figures}")


def test_a_cashier_sells_by_scanner_and_takes_a_mixed_payment_with_change(
        page: Any, live_server: LiveServer) -> None:
    till = Till(page)
    till.sign_in()
    till.open_shift()
    till.scan(OAT_MILK_EAN)
    assert "149.90" in till.line("OAT-MILK-1L").inner_text()
    till.scan(_weight_code(live_server, 1250))
    assert "1.250" in till.line("BANANA-KG").inner_text()
    assert till.text("#total") == "312.28"  # 149.90 + 129.90 x 1.250 (162.375, half up)

    till.pay("F6", "100")
    assert till.text("#paid") == "100.00"
    till.pay("F4", "250")
    assert till.text("#tendered") == "250.00" and till.text("#change") == "37.72"
    if os.environ.get("POS_DOCS_SCREENSHOTS"):
        page.screenshot(path=str(DOCS / "till-sale.png"))
    page.keyboard.press("F12")
    assert "Receipt No. 1 closed" in till.text("#closed-receipt")
    assert till.text("#closed-change") == "37.72"
    assert page.evaluate("document.activeElement.id") == "code"


def test_a_scan_into_an_open_panel_still_adds_the_item(page: Any) -> None:
    till = Till(page)
    till.sign_in()
    till.open_shift()
    till.scan(MILK_EAN)
    till.line("MILK-1L")
    page.keyboard.press("F2")
    page.wait_for_selector("#quantity:focus")
    till.scan(OAT_MILK_EAN)  # the scanner's burst is told from typing and sent as a scan
    till.line("OAT-MILK-1L")
    assert page.evaluate("document.getElementById('panel-quantity').hidden") is True
    assert page.evaluate("document.activeElement.id") == "code"


def hold_the_first(page: Any, pattern: str) -> list[Any]:
    """Hold the first request to ``pattern`` (its route lands in the list); let the rest go."""
    held: list[Any] = []

    def hold(route: Any) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(pattern, hold)
    return held


def test_the_same_item_scanned_again_before_the_first_answer_is_not_lost(page: Any) -> None:
    """The first scan's answer lands after the second burst's digits, before its Enter."""
    till = Till(page)
    till.sign_in()
    till.open_shift()
    held = hold_the_first(page, "**/till/scan")  # the first scan's request waits here
    till.scan(OAT_MILK_EAN)
    while not held:
        page.wait_for_timeout(10)
    page.keyboard.type(OAT_MILK_EAN)  # the same item again, its Enter not yet pressed
    held[0].continue_()
    till.line("OAT-MILK-1L")  # the first answer is in the page
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => (document.querySelector('#total') || {}).innerText === '299.80'")
    assert page.query_selector("#message .problem") is None


def test_a_scan_while_a_typed_code_is_on_its_way_is_not_joined_to_it(page: Any) -> None:
    """A code typed and sent by Enter is still in flight when the scanner's burst comes."""
    till = Till(page)
    till.sign_in()
    till.open_shift()
    held = hold_the_first(page, "**/till/scan")  # the typed code's request waits here
    till.type_slowly(OAT_MILK_EAN)  # a person's keys: the form sends it, not the scanner
    while not held:
        page.wait_for_timeout(10)
    till.scan(MILK_EAN)  # the burst lands in the scan field, the typed code sent before it
    held[0].continue_()
    till.line("OAT-MILK-1L")
    till.line("MILK-1L")
    page.wait_for_function(
        "() => (document.querySelector('#total') || {}).innerText === '239.80'")
    assert page.query_selector("#message .problem") is None
    assert page.evaluate("document.getElementById('code').value") == ""


def test_a_scan_in_the_instant_before_the_page_is_wired_is_not_lost(page: Any) -> None:
    """The page has its scan field focused but not its scripts: the code goes as a plain form."""
    till = Till(page)
    till.sign_in()
    till.open_shift()
    hold_the_first(page, "**/vendor/htmx-*.js")  # this page's htmx: nothing wires the form
    page.reload(wait_until="commit")
    page.wait_for_selector("#code:focus")
    assert page.query_selector("body[data-ready]") is None
    till.scan(OAT_MILK_EAN)
    assert till.line("OAT-MILK-1L")  # the page it went to sent it again, as the scan it was
    page.wait_for_function("() => location.search === ''")  # a reload will not send it twice
    page.reload()
    till.ready("#code:focus")
    assert len(page.query_selector_all('#receipt tr.line[data-sku="OAT-MILK-1L"]')) == 1


def test_a_keyboard_only_sale_from_sign_in_to_close(page: Any) -> None:
    till = Till(page)
    till.sign_in()
    till.open_shift("500")
    till.type_slowly("oat")  # typed, not scanned: a name is searched
    page.wait_for_selector("#search .found")
    till.type_slowly("3*milk-1l")
    assert "3" in till.line("MILK-1L").query_selector(".qty").inner_text()
    page.keyboard.press("F2")
    page.wait_for_selector("#quantity:focus")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#total').innerText.trim() === '179.80'")
    page.keyboard.press("Escape")
    till.pay("F4")  # empty: exactly what is due
    assert till.text("#due") == "0.00"
    page.keyboard.press("F12")
    assert "Receipt No. 1 closed" in till.text("#closed-receipt")


def test_the_cashier_reads_the_x_report_and_goes_back_by_escape(page: Any) -> None:
    till = Till(page)
    till.sign_in()
    till.open_shift("1000")
    till.scan(OAT_MILK_EAN)
    till.line("OAT-MILK-1L")
    till.pay("F4", "200")
    page.keyboard.press("F12")
    till.text("#closed-receipt")
    page.keyboard.press("F9")
    assert "X report" in till.text("#report-title")
    till.ready("#report-title")  # Esc is our module's: wait until it runs on this page
    report = till.text(".report")
    assert "149.90" in report and "1149.90" in report  # a sale, and the cash expected
    page.keyboard.press("Escape")
    page.wait_for_selector("#code:focus")


def test_scan_to_line_time_and_first_load_transfer_are_measured(
        page: Any, live_server: LiveServer) -> None:
    till = Till(page)
    till.sign_in()
    till.open_shift()
    # The sale page's first load: a new browser context (empty cache) with the same session.
    cold = page.context.browser.new_context(base_url=live_server.url,
                                            storage_state=page.context.storage_state())
    page = cold.new_page()
    page.goto("/till")
    page.wait_for_selector("#code:focus")
    till = Till(page)
    navigation = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " const r = performance.getEntriesByType('resource');"
        " return [n.transferSize, n.encodedBodySize, r.map(x => [x.name, x.transferSize,"
        " x.encodedBodySize])]; }")
    codes = [OAT_MILK_EAN, MILK_EAN] * 25  # 50 scans, each waited for
    for count, code in enumerate(codes, start=1):
        till.scan(code)
        page.wait_for_function(f"() => document.querySelectorAll('#receipt tr.line').length"
                               f" === {count} && performance.getEntriesByName('scan-to-line')"
                               f".length === {count}")
    durations = page.evaluate(
        "() => performance.getEntriesByName('scan-to-line').map(m => m.duration)")
    assert len(durations) == len(codes)
    p95 = statistics.quantiles(durations, n=20)[-1]
    first_load = navigation[0] + sum(size for _, size, _ in navigation[2])
    _save_figures(scan_to_line_p95_ms=round(p95, 1),
                  scan_to_line_median_ms=round(statistics.median(durations), 1),
                  first_load_transfer_bytes=first_load,
                  first_load_resources={name.rsplit("/", 1)[-1]: size
                                        for name, size, _ in navigation[2]})
    cold.close()


def test_a_manager_approves_a_void_in_place_with_their_pin(page: Any) -> None:
    till = Till(page)
    till.sign_in()
    till.open_shift()
    till.scan(OAT_MILK_EAN)
    till.line("OAT-MILK-1L")
    page.keyboard.press("F3")
    till.approve_in_place()
    page.wait_for_selector("#receipt .empty")
    assert page.query_selector("#message .problem") is None
    assert page.evaluate("document.activeElement.id") == "code"


def test_the_scanner_buffer_tells_a_burst_from_typing(page: Any) -> None:
    page.goto("/till")
    answers = page.evaluate("""async () => {
        const { ScanBuffer } = await import('/screens/static/scanner.js');
        const feed = (keys, gap) => {
            const buffer = new ScanBuffer();
            let at = 1000, out = null;
            for (const key of [...keys, 'Enter']) { out = buffer.feed(key, at); at += gap; }
            return out;
        };
        const stalled = new ScanBuffer();
        ['1', '2'].forEach((k, i) => stalled.feed(k, i * 5));
        [...'4600000000015'].forEach((k, i) => stalled.feed(k, 500 + i * 5));
        return {burst: feed('4600000000015', 8), typed: feed('4600000000015', 120),
                short: feed('1111', 5), arrow: feed(['46000', 'ArrowUp', ...'00000015'], 5),
                shift: feed(['Shift', 'A', 'Shift', 'B', ...'C-1234'], 5),
                afterPause: stalled.feed('Enter', 600)};
    }""")
    assert answers == {"burst": "4600000000015", "typed": None, "short": None,
                       "arrow": "00000015", "shift": "ABC-1234", "afterPause": "4600000000015"}
