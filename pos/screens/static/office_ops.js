// The office's printable reports: the Print button prints the page (CSP: no inline script).
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
document.body.dataset.ready = "office-ops";
