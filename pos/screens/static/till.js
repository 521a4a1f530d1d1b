// The till page's keyboard: the scan field kept focused, scanner bursts, F-keys, Esc.
//
// No business rule here: every action is a form or button the server rendered (htmx posts
// it); this module only routes keys to them and keeps focus where the cashier expects it.
import { ScanBuffer } from "./scanner.js";

const scanner = new ScanBuffer();
const $ = (selector) => document.querySelector(selector);
const panels = () => [...document.querySelectorAll(".panel")];
const openPanel = () => panels().find((panel) => !panel.hidden);

function focusScan() {
  const code = $("#code");
  if (code && !openPanel() && document.activeElement !== code) {
    code.focus();
  }
}

function showPanel(id) {
  panels().forEach((panel) => { panel.hidden = panel.id !== id; });
  const input = $(`#${id} input:not([type=hidden])`);
  if (input) {
    input.focus();
    input.select();
  }
}

function closePanels() {
  panels().forEach((panel) => { panel.hidden = true; panel.reset(); });
  focusScan();
}

function lineRows() {
  return [...document.querySelectorAll("#receipt tr.line")];
}

function selectLine(row) {
  lineRows().forEach((r) => r.classList.toggle("selected", r === row));
  const field = $("#line-no");
  if (field) {
    field.value = row ? row.dataset.lineNo : "";
  }
}

function moveSelection(step) {
  const rows = lineRows();
  const at = rows.findIndex((r) => r.classList.contains("selected"));
  const next = rows[Math.min(Math.max(at + step, 0), rows.length - 1)];
  if (next) {
    selectLine(next);
  }
}

// A panel that takes scans (a card, a certificate, a receipt number) gets the burst itself.
function scanIntoPanel(panel, code) {
  const field = panel.querySelector("[data-scan-field]");
  if (document.activeElement === field) {
    code = field.value.trim() || code;
  }
  field.value = code;
  panel.requestSubmit();
}

// A field that keeps its scans (an item of a return without the receipt): the burst typed
// itself into it; the scanner's Enter moves on to the next such field, else the submit button.
function keepScan(field) {
  field.value = field.value.trim();
  const form = field.form;
  const fields = [...form.querySelectorAll("[data-keeps-scan]")];
  const next = fields[fields.indexOf(field) + 1] || form.querySelector("[type=submit]");
  next.focus();
}

function submitScan(code) {
  const form = $("#scan");
  const panel = openPanel();
  const focused = document.activeElement;
  if (focused && focused.dataset && focused.dataset.keepsScan !== undefined) {
    keepScan(focused);
    return;
  }
  if (panel && panel.querySelector("[data-scan-field]")) {
    scanIntoPanel(panel, code);
    return;
  }
  if (!form) {
    return;
  }
  const field = $("#code");
  if (focused === field) {
    // All of it: a stall mid-burst (a busy PC) cut the buffer short. Never less than the
    // burst, should the field have lost keys.
    code = field.value.trim() || code;
  } else if (focused && "value" in focused && focused.value.endsWith(code)) {
    focused.value = focused.value.slice(0, -code.length); // the burst landed in another field
  }
  closePanels();
  performance.mark("scan"); // from the scanner's Enter to the line in the page, for the figures
  sendCode(form, code, "scan");
}

// The code travels in the request itself and leaves the field at once, scanned or typed: the
// next burst may start before the answer and lands in an empty field, and the form queues
// every code (hx-sync "queue all"), none dropped while one is in flight.
function sendCode(form, code, via) {
  $("#code").value = "";
  htmx.ajax("POST", form.getAttribute("hx-post"), {
    source: form, target: "#receipt", swap: "innerHTML", values: { code, via },
  });
}

// Enter in the scan field after a person's typing (not a burst): send what was typed.
function submitTyped(event) {
  event.preventDefault();
  const code = event.target.value.trim();
  if (code) {
    performance.mark("scan"); // a code typed and sent by Enter
    sendCode($("#scan"), code, "keys");
  }
}

function onHotkey(event) {
  const name = (event.shiftKey ? "Shift+" : "") + event.key;
  const target = document.querySelector(`[data-hotkey="${name}"]`);
  if (!target) {
    return false;
  }
  event.preventDefault();
  if (target.dataset.opens) {
    showPanel(target.dataset.opens);
  } else {
    if (target.dataset.panel !== undefined) {
      panels().forEach((panel) => { panel.hidden = true; }); // the server sends a fresh one
    }
    target.click();
  }
  return true;
}

function onEscape(event) {
  event.preventDefault();
  if (openPanel()) {
    closePanels();
    return;
  }
  const back = $("[data-back]");
  if (back) {
    window.location.assign(back.href);
    return;
  }
  ["#explain", "#search"].forEach((s) => { const el = $(s); if (el) { el.innerHTML = ""; } });
  const code = $("#code");
  if (code) {
    code.value = "";
  }
}

// A PIN is never a scan, however fast it is typed: it must not land in the scan field.
const isSecret = (element) => element instanceof HTMLInputElement && element.type === "password";

// The discounts' hints are asked for once the keyboard has rested: never while a scanner's
// burst is arriving, whose timing a swap in between could stretch.
const HINTS_AFTER_MS = 700;
let lastKeyAt = 0;
let hintsTimer = null;

function askHintsWhenIdle() {
  clearTimeout(hintsTimer);
  hintsTimer = setTimeout(() => {
    const hints = $("#hints");
    if (!hints) {
      return;
    }
    if (performance.now() - lastKeyAt < HINTS_AFTER_MS) {
      askHintsWhenIdle();
      return;
    }
    htmx.trigger(hints, "idle");
  }, HINTS_AFTER_MS);
}

document.addEventListener("keydown", (event) => {
  lastKeyAt = performance.now();
  const code = isSecret(event.target) ? null : scanner.feed(event.key, event.timeStamp);
  if (code !== null && $("#scan")) {
    event.preventDefault();
    submitScan(code);
  } else if (event.key === "Enter" && event.target.id === "code" && $("#scan")) {
    submitTyped(event);
  } else if (/^F\d{1,2}$/.test(event.key)) {
    onHotkey(event);
  } else if (event.key === "Escape") {
    onEscape(event);
  } else if ((event.key === "ArrowUp" || event.key === "ArrowDown") && !openPanel() && $("#code")) {
    event.preventDefault();
    moveSelection(event.key === "ArrowUp" ? -1 : 1);
  }
}, true);

document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.target.closest && event.target.closest(".panel");
  if (form && form.dataset.stays === undefined && event.detail.xhr
      && event.detail.xhr.status < 400) {
    closePanels();
  }
});

document.addEventListener("htmx:afterSwap", (event) => {
  // The scanned line is in the page now: how long the scan took to show, for the figures.
  if (event.target.id === "receipt" && performance.getEntriesByName("scan", "mark").length) {
    performance.measure("scan-to-line", "scan");
    performance.clearMarks("scan");
  }
});

document.addEventListener("htmx:afterSettle", (event) => {
  // A manager's approval asked for in place, or a panel the server sent: its first field.
  const asked = event.target.querySelector && event.target.querySelector(
    ".panel:not([hidden]) input[autofocus], form.return input[autofocus]");
  if (asked) {
    asked.focus();
    asked.select();
    return;
  }
  if (event.target.id === "receipt") {
    const rows = lineRows();
    selectLine(rows[rows.length - 1] || null);
    askHintsWhenIdle();
  }
  focusScan();
});

document.addEventListener("click", (event) => {
  const row = event.target.closest && event.target.closest("#receipt tr.line");
  if (row) {
    selectLine(row);
  }
});

document.addEventListener("focusout", () => {
  setTimeout(() => {
    const active = document.activeElement;
    if (!active || active === document.body) {
      focusScan();
    }
  }, 0);
});

// A code entered in the instant before the page was wired (just after it loaded) left as a
// plain form, GET /till?via=...&code=..., which changes nothing: send it now as the scan it
// was, once, and take it out of the address so that a reload does not send it again.
function resendEarlyScan() {
  const params = new URLSearchParams(location.search);
  const code = (params.get("code") || "").trim();
  const form = $("#scan");
  if (!params.has("code")) {
    return;
  }
  history.replaceState(history.state, "", location.pathname);
  if (!code || !form) {
    return;
  }
  htmx.ajax("POST", form.getAttribute("hx-post"), {
    source: form, target: "#receipt", swap: "innerHTML",
    values: { code, via: params.get("via") === "scan" ? "scan" : "keys" },
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.body.dataset.ready = "true"; // htmx (loaded before this module) has wired the page
  const rows = lineRows();
  selectLine(rows[rows.length - 1] || null);
  askHintsWhenIdle();
  focusScan();
  resendEarlyScan();
});

// Refusals come as messages from the server; a failure to answer at all is said here.
function showTrouble(text, code) {
  const box = $("#message");
  if (box) {
    const line = document.createElement("p");
    line.className = "problem";
    line.setAttribute("role", "alert");
    line.dataset.code = code;
    line.textContent = text;
    box.replaceChildren(line);
  }
}

document.addEventListener("htmx:responseError", () => {
  showTrouble("The till's server failed to answer: try again, or call the manager", "server_error");
});

document.addEventListener("htmx:sendError", () => {
  showTrouble("The till's server cannot be reached: check the network and try again", "unreachable");
});
