// Keeps keyboard focus and scroll position sensible when htmx swaps part of a page.
(function () {
  "use strict";
  let focusedId = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    const target = event.detail.target;
    if (target) target.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:beforeSwap", function () {
    const active = document.activeElement;
    focusedId = active && active.id ? active.id : null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    const target = event.detail.target;
    if (target) target.removeAttribute("aria-busy");
    if (!focusedId) return;
    const again = document.getElementById(focusedId);
    if (again && document.activeElement !== again) {
      again.focus({ preventScroll: true });
    }
    // A page link moves the reader to the top of the new rows.
    if (focusedId.startsWith("page-")) {
      const heading = document.querySelector("[data-scroll-anchor]");
      if (heading) heading.scrollIntoView({ block: "start" });
    }
    focusedId = null;
  });

  document.addEventListener("htmx:responseError", function (event) {
    const target = event.detail.target;
    if (target) target.removeAttribute("aria-busy");
    const status = document.getElementById("request-status");
    // The message is in the page's language (data-error-message), with the status code after it.
    if (status) status.textContent = status.dataset.errorMessage + " (" + event.detail.xhr.status + ")";
  });
})();

// "Copy code" buttons of the embed-code generator.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  field.select();
  const done = function () { if (status) status.textContent = status.dataset.doneMessage; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});

// The language switch follows filters and pages that htmx pushed into the address bar.
document.addEventListener("htmx:pushedIntoHistory", function () {
  const current = document.documentElement.lang === "en" ? "" : "/" + document.documentElement.lang;
  const path = window.location.pathname.slice(current.length) || "/";
  document.querySelectorAll("a[data-language-prefix]").forEach(function (link) {
    link.href = link.dataset.languagePrefix + path + window.location.search;
  });
});

// On a phone, panels marked data-fold-on-phones (the table's filters) start folded, so the
// results come first; without JavaScript they stay open.
if (window.matchMedia("(max-width: 640px)").matches) {
  document.querySelectorAll("details[data-fold-on-phones]").forEach(function (panel) {
    panel.open = false;
  });
}
