// Draws every chart on the page from its JSON data: <div data-chart="ID"> reads the
// <script type="application/json" id="ID"> beside it. Runs again for content htmx swaps in.
(function () {
  "use strict";
  function draw(root) {
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      if (element.dataset.drawn) return;
      const source = document.getElementById(element.dataset.chart);
      if (!source || typeof Plotly === "undefined") return;
      const figure = JSON.parse(source.textContent);
      element.dataset.drawn = "true";
      Plotly.newPlot(element, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        displayModeBar: false,
      }).then(function () {
        element.setAttribute("data-chart-ready", "true");
        element.dispatchEvent(new CustomEvent("chart:drawn", { bubbles: true }));
      });
    });
  }
  if (window.htmx) {
    htmx.onLoad(draw);
  } else {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  }
})();
