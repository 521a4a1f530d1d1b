// Tell a keyboard-wedge barcode scanner from a person typing, by keystroke timing.
//
// A scanner "types" its code in a burst (a few milliseconds between keys) and ends it with
// Enter; a person leaves 80 ms or more between keys. As Odoo's and ERPNext's tills do, a run
// of at least `minLength` characters whose every gap (and the Enter after it) is within
// `maxGapMs` is a scan. Pure: fed keys and times, it answers; the page decides what to do.

const MODIFIERS = new Set(["Shift", "Control", "Alt", "AltGraph", "Meta", "CapsLock"]);

export class ScanBuffer {
  constructor({ maxGapMs = 50, minLength = 6 } = {}) {
    this.maxGapMs = maxGapMs;
    this.minLength = minLength;
    this.reset();
  }

  reset() {
    this.chars = [];
    this.last = -Infinity;
  }

  // Feed one key (KeyboardEvent.key) pressed at `at` ms; return the code a scan ended, else null.
  feed(key, at) {
    if (key === "Enter") {
      const isScan = this.chars.length >= this.minLength && at - this.last <= this.maxGapMs;
      const code = isScan ? this.chars.join("") : null;
      this.reset();
      return code;
    }
    if (MODIFIERS.has(key)) {
      return null; // a scanner presses Shift for capitals within its burst
    }
    if (key.length !== 1) {
      this.reset();
      return null;
    }
    if (at - this.last > this.maxGapMs) {
      this.chars = []; // a pause: whatever came before was typed, a burst may start here
    }
    this.chars.push(key);
    this.last = at;
    return null;
  }
}
