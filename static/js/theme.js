// Light or dark, as the reader chose in this browser (kept in localStorage, never in a cookie,
// so every reader is sent the same cached page); "auto" follows the system's setting. Loaded
// before the page is drawn, so a dark page never flashes light first.
(function () {
  "use strict";
  const root = document.documentElement;
  const KEY = "sanctuary-tracker-theme";

  function stored() {
    try {
      return localStorage.getItem(KEY) || "auto";
    } catch (error) {
      return "auto";  // storage blocked: follow the system
    }
  }

  function apply(theme) {
    root.dataset.theme = theme;
    document.dispatchEvent(new CustomEvent("tracker:themechange"));
  }

  apply(stored());

  document.addEventListener("DOMContentLoaded", function () {
    const picker = document.getElementById("theme-picker");
    if (!picker) return;
    picker.value = root.dataset.theme;
    picker.closest("[hidden]").removeAttribute("hidden");
    picker.addEventListener("change", function () {
      try {
        if (picker.value === "auto") localStorage.removeItem(KEY);
        else localStorage.setItem(KEY, picker.value);
      } catch (error) {
        // storage blocked: the choice lasts until the page is left
      }
      apply(picker.value);
    });
  });
})();
