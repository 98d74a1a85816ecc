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

// The map's time control: the slider picks one of the dates it lists (data-steps) and the form
// asks for the map as of that date; Play steps through the dates, one map at a time. Without
// JavaScript the date field and the "Jump to" links do the same.
(function () {
  "use strict";
  const time = document.querySelector("[data-map-time]");
  if (!time) return;
  const form = time.closest("form");
  const slider = time.querySelector("input[type=range]");
  const play = time.querySelector("[data-map-play]");
  const dateField = form.querySelector("[name=as_of]");
  const steps = slider.dataset.steps.split(" ");
  let playing = false;
  time.hidden = false;
  form.querySelectorAll("[data-map-jumps]").forEach(function (links) { links.hidden = true; });

  function show(index) {
    slider.value = index;
    dateField.value = steps[index];
    slider.setAttribute("aria-valuetext", steps[index]);
  }

  function stop() {
    playing = false;
    play.textContent = play.dataset.playLabel;
    play.setAttribute("aria-pressed", "false");
  }

  slider.addEventListener("input", function () { show(Number(slider.value)); });
  // The slider's change bubbles to the form, which htmx sends (hx-trigger="change").

  play.addEventListener("click", function () {
    if (playing) { stop(); return; }
    playing = true;
    play.textContent = play.dataset.pauseLabel;
    play.setAttribute("aria-pressed", "true");
    if (Number(slider.value) >= steps.length - 1) show(0);
    else show(Number(slider.value) + 1);
    htmx.trigger(form, "submit");
  });

  // The next step is asked for once the last one is drawn, and after a pause to read it.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!playing || event.detail.target.id !== "state-map") return;
    const next = Number(slider.value) + 1;
    if (next >= steps.length) { stop(); return; }
    setTimeout(function () {
      if (!playing) return;
      show(next);
      htmx.trigger(form, "submit");
    }, 900);
  });
})();
