// Draws every chart on a page from its JSON (<div data-chart="ID"> reads the
// <script type="application/json" id="ID"> beside it), again for content htmx swaps in.
// plotly.js (its address is this script's data-plotly) is fetched only after the page's first
// paint, which shows the server-drawn chart: on a fast connection, running its megabyte of
// script as the page loaded held that paint back.
// Inside an embed frame it also reports the content's height to the host page, in our
// message format and in pym.js's, and follows the host page's light or dark theme.
(function () {
  "use strict";
  const root = document.documentElement;
  const framed = window.parent !== window;
  const childId = new URLSearchParams(location.search).get("childId");
  const plotlyAddress = document.currentScript && document.currentScript.dataset.plotly;
  let plotlyLoaded = null;
  let lastHeight = 0;

  function withPlotly(then) {
    if (typeof Plotly !== "undefined") return then();
    if (!plotlyAddress) return;
    if (!plotlyLoaded) {
      plotlyLoaded = new Promise(function (resolve, reject) {
        const script = document.createElement("script");
        script.src = plotlyAddress;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    plotlyLoaded.then(then);
  }

  function afterFirstPaint(then) {
    const painted = "first-contentful-paint";
    const types = window.PerformanceObserver && PerformanceObserver.supportedEntryTypes;
    if (!types || !types.includes("paint")) {
      requestAnimationFrame(function () { setTimeout(then, 0); });
    } else if (performance.getEntriesByName(painted).length) {
      then();
    } else {
      new PerformanceObserver(function (entries, observer) {
        if (!entries.getEntriesByName(painted).length) return;
        observer.disconnect();
        then();
      }).observe({ type: "paint", buffered: true });
    }
  }

  function colours() {
    const style = getComputedStyle(root);
    return {
      ink: style.getPropertyValue("--ink").trim() || "#1b1b1b",
      grid: style.getPropertyValue("--rule").trim() || "#e5e5e5",
    };
  }

  // The palette's black line is drawn in the theme's ink, so it shows on a dark page too.
  const PALETTE_BLACK = "#000000";

  function inked(data, ink) {
    data.forEach(function (trace) {
      if (trace.marker && (trace.marker.color === PALETTE_BLACK || trace.inked)) {
        trace.inked = true;
        trace.marker.color = ink;
        if (trace.line) trace.line.color = ink;
      }
    });
    return data;
  }

  function themed(layout) {
    const c = colours();
    layout.paper_bgcolor = "rgba(0,0,0,0)";
    layout.plot_bgcolor = "rgba(0,0,0,0)";
    layout.font = Object.assign({}, layout.font, { color: c.ink });
    Object.keys(layout).forEach(function (key) {
      if (/^yaxis\d*$/.test(key)) layout[key] = Object.assign({}, layout[key], { gridcolor: c.grid });
    });
    return layout;
  }

  // Month and day names on date axes in the page's language: plotly.js ships only English.
  const LOCALES = {
    es: {
      moduleType: "locale",
      name: "es",
      dictionary: {},
      format: {
        days: ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
        shortDays: ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
        months: ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre"],
        shortMonths: ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct",
          "nov", "dic"],
        date: "%d/%m/%Y",
      },
    },
  };

  function chartLocale() {
    const language = root.lang;
    const locale = LOCALES[language];
    if (!locale) return "en";
    if (!locale.registered) {
      Plotly.register(locale);
      locale.registered = true;
    }
    return language;
  }

  function draw(scope) {
    if (!scope.querySelector("[data-chart]:not([data-drawn])")) return;
    afterFirstPaint(function () { withPlotly(function () { drawCharts(scope); }); });
  }

  function drawCharts(scope) {
    scope.querySelectorAll("[data-chart]").forEach(function (element) {
      if (element.dataset.drawn || !element.isConnected) return;
      const source = document.getElementById(element.dataset.chart);
      if (!source) return;
      const figure = JSON.parse(source.textContent);
      element.dataset.drawn = "true";
      element.replaceChildren();  // the server-drawn SVG, shown until now
      if (element.clientWidth < 520) compact(figure);
      Plotly.newPlot(element, inked(figure.data, colours().ink), themed(figure.layout), {
        responsive: true,
        displaylogo: false,
        displayModeBar: false,
        locale: chartLocale(),
      }).then(function () {
        element.setAttribute("data-chart-ready", "true");
        document.querySelectorAll('[data-export-of="' + element.dataset.chart + '"]')
          .forEach(function (button) {
            const panel = button.closest("[hidden]");
            if (panel) panel.removeAttribute("hidden");
          });
        // Follow the container, not just the window: a frame or a column can change width alone.
        const observer = new ResizeObserver(function () {
          if (!element.isConnected) {
            observer.disconnect();  // swapped out by htmx
            return;
          }
          if (element.offsetParent !== null) Plotly.Plots.resize(element);
        });
        observer.observe(element);
        report();
      });
    });
  }

  // On a phone the labels at the lines' ends would squeeze the plot: a legend of the places
  // below it names the colours instead (the data table keeps every figure as stated).
  function compact(figure) {
    const places = new Set(figure.data.map(function (trace) { return trace.name; }));
    figure.layout.annotations = (figure.layout.annotations || []).filter(function (note) {
      return note.name !== "end-label";
    });
    figure.layout.showlegend = places.size > 1;
    // Below the dates (two lines when a tick needs the day): about 24 pixels a row of places.
    const legend = places.size > 1 ? 24 + 24 * Math.ceil(places.size / 2) : 0;
    figure.layout.margin = { l: 44, r: 12, t: 36, b: 40 + legend };
    figure.layout.height += legend;
    figure.layout.legend = Object.assign({}, figure.layout.legend, { font: { size: 11 } });
  }

  function recolour() {
    if (typeof Plotly === "undefined") return;
    const c = colours();
    document.querySelectorAll("[data-chart-ready]").forEach(function (element) {
      const update = { "font.color": c.ink };
      Object.keys(element.layout).forEach(function (key) {
        if (/^yaxis\d*$/.test(key)) update[key + ".gridcolor"] = c.grid;
      });
      Plotly.relayout(element, update);
      const inkedTraces = element.data
        .map(function (trace, index) { return trace.inked ? index : -1; })
        .filter(function (index) { return index >= 0; });
      if (inkedTraces.length) {
        Plotly.restyle(element, { "marker.color": c.ink, "line.color": c.ink }, inkedTraces);
      }
    });
  }

  // "Download image": the chart as PNG or SVG with its title above and its sources below,
  // drawn on the page's background, for print and social posts.
  function exportChart(button) {
    const element = document.querySelector('[data-chart="' + button.dataset.exportOf + '"]');
    if (!element || !element.layout) return;
    const layout = JSON.parse(JSON.stringify(element.layout));
    const margin = Object.assign({ l: 56, r: 16, t: 36, b: 40 }, layout.margin);
    const style = getComputedStyle(root);
    layout.paper_bgcolor = style.getPropertyValue("--bg").trim() || "#ffffff";
    layout.plot_bgcolor = layout.paper_bgcolor;
    layout.title = {
      text: button.dataset.title, x: 0, xref: "paper", xanchor: "left",
      y: 1, yref: "container", yanchor: "top", pad: { t: 12 }, font: { size: 17 },
    };
    layout.margin = Object.assign({}, margin, { t: margin.t + 44, b: margin.b + 36 });
    layout.annotations = (layout.annotations || []).concat([{
      name: "source-line", text: button.dataset.source, showarrow: false,
      xref: "paper", x: 0, xanchor: "left", yref: "paper", y: 0, yanchor: "top",
      yshift: -(margin.b + 4), font: { size: 11 },
    }]);
    layout.height = (layout.height || 420) + 80;
    const width = Math.max(element.clientWidth, 720);
    Plotly.toImage({ data: element.data, layout: layout }, {
      format: button.dataset.export, width: width, height: layout.height, scale: 2,
    }).then(function (url) {
      const link = document.createElement("a");
      link.href = url;
      link.download = button.dataset.filename + "." + button.dataset.export;
      document.body.append(link);
      link.click();
      link.remove();
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-export]");
    if (button) exportChart(button);
  });

  // The site's own theme switch (theme.js) and the system's setting both recolour the charts.
  document.addEventListener("tracker:themechange", recolour);
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", recolour);

  function report() {
    if (!framed) return;
    const content = document.getElementById("embed") || document.body;
    const height = Math.ceil(content.getBoundingClientRect().height);
    if (!height || height === lastHeight) return;
    lastHeight = height;
    window.parent.postMessage({ sanctuaryTracker: "height", height: height }, "*");
    if (childId) {
      window.parent.postMessage("pymxPYMx" + childId + "xPYMxheightxPYMx" + height, "*");
    }
  }

  if (framed) {
    window.addEventListener("message", function (event) {
      const data = event.data;
      if (event.source !== window.parent || !data || data.sanctuaryTracker !== "theme") return;
      if (root.dataset.theme !== "auto") return;
      root.dataset.hostTheme = data.theme === "dark" ? "dark" : "light";
      recolour();
    });
    document.addEventListener("DOMContentLoaded", function () {
      new ResizeObserver(report).observe(document.getElementById("embed") || document.body);
      report();
    });
    document.addEventListener("toggle", report, true);
  }

  if (window.htmx) {
    htmx.onLoad(draw);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
})();
