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

// On a phone, panels marked data-fold-on-phones (the table's filters, the long sections of a
// place's page) start folded, so the results come first; without JavaScript they stay open.
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

  // The button's name says what it does next (Play, Pause): no aria-pressed besides.
  function stop() {
    playing = false;
    play.textContent = play.dataset.playLabel;
  }

  slider.addEventListener("input", function () { show(Number(slider.value)); });
  // The slider's change bubbles to the form, which htmx sends (hx-trigger="change").

  play.addEventListener("click", function () {
    if (playing) { stop(); return; }
    playing = true;
    play.textContent = play.dataset.pauseLabel;
    if (Number(slider.value) >= steps.length - 1) show(0);
    else show(Number(slider.value) + 1);
    htmx.trigger(form, "submit");
  });

  // A step that fails to load ends the play (its error is shown by the handler above).
  document.addEventListener("htmx:responseError", stop);
  document.addEventListener("htmx:sendError", stop);

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

// "Download image" of the map: the drawing as PNG or SVG with its title above and its legend
// and source line below, in the page's colours (a file has no stylesheet, so each shape's
// fill and stroke are written into it).
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";

  function element(name, attributes, text) {
    const node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text) node.textContent = text;
    return node;
  }

  function download(blob, filename) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  function drawing(button) {
    const region = button.closest("[data-map-region]");
    const map = region.querySelector("svg.us-map-svg");
    const box = map.viewBox.baseVal;
    const page = getComputedStyle(document.documentElement);
    const ink = page.getPropertyValue("--ink").trim() || "#1b1b1b";
    const copy = map.cloneNode(true);
    const shapes = map.querySelectorAll("path, circle");
    copy.querySelectorAll("path, circle").forEach(function (shape, index) {
      const style = getComputedStyle(shapes[index]);
      shape.setAttribute("fill", style.fill);
      shape.setAttribute("stroke", style.stroke);
      shape.setAttribute("stroke-width", parseFloat(style.strokeWidth) || 0);
      // The drawing is scaled down (its paths are in quarters of a pixel): strokes keep their
      // width on screen, as the page's stylesheet has them.
      shape.setAttribute("vector-effect", "non-scaling-stroke");
      if (shape.tagName === "circle") shape.setAttribute("r", style.r || shape.getAttribute("r"));
    });
    const legend = Array.from(region.querySelectorAll(".map-legend li"));
    const top = 44, rowHeight = 22, columns = 3, columnWidth = box.width / columns;
    const legendHeight = Math.ceil(legend.length / columns) * rowHeight;
    const height = top + box.height + 16 + legendHeight + 36;
    const out = element("svg", {
      xmlns: SVG, width: box.width, height: height, viewBox: "0 0 " + box.width + " " + height,
      "font-family": "system-ui, sans-serif",
    });
    out.append(element("rect", {
      width: "100%", height: "100%", fill: page.getPropertyValue("--bg").trim() || "#ffffff",
    }));
    out.append(element("text", { x: 8, y: 28, "font-size": 20, "font-weight": 600, fill: ink },
      button.dataset.title));
    const placed = element("g", { transform: "translate(0 " + top + ")" });
    copy.removeAttribute("class");
    copy.setAttribute("width", box.width);
    copy.setAttribute("height", box.height);
    placed.append(copy);
    out.append(placed);
    legend.forEach(function (item, index) {
      const x = 8 + (index % columns) * columnWidth;
      const y = top + box.height + 16 + Math.floor(index / columns) * rowHeight;
      const swatch = getComputedStyle(item.querySelector(".swatch"));
      out.append(element("rect", {
        x: x, y: y, width: 14, height: 14, fill: swatch.backgroundColor,
        stroke: swatch.outlineColor, "stroke-width": 1,
      }));
      out.append(element("text", { x: x + 20, y: y + 12, "font-size": 13, fill: ink },
        item.textContent.replace(/\s+/g, " ").trim()));
    });
    out.append(element("text", {
      x: 8, y: height - 14, "font-size": 12, fill: page.getPropertyValue("--muted").trim() || ink,
    }, button.dataset.source));
    return { svg: new XMLSerializer().serializeToString(out), width: box.width, height: height };
  }

  function exportMap(button) {
    const image = drawing(button);
    const blob = new Blob([image.svg], { type: "image/svg+xml" });
    const filename = button.dataset.filename + "." + button.dataset.exportMap;
    if (button.dataset.exportMap === "svg") {
      download(blob, filename);
      return;
    }
    const picture = new Image();
    picture.onload = function () {
      const canvas = document.createElement("canvas");
      canvas.width = image.width * 2;
      canvas.height = image.height * 2;
      const context = canvas.getContext("2d");
      context.scale(2, 2);
      context.drawImage(picture, 0, 0);
      URL.revokeObjectURL(picture.src);
      canvas.toBlob(function (png) { download(png, filename); }, "image/png");
    };
    picture.src = URL.createObjectURL(blob);
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-export-map]");
    if (button) exportMap(button);
  });

  // Offered only where this script runs; the map's region is replaced when its date changes.
  function offer() {
    document.querySelectorAll("[data-map-export]").forEach(function (p) { p.hidden = false; });
  }
  offer();
  document.addEventListener("htmx:afterSettle", offer);
})();
