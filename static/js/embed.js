// Sanctuary Tracker embeds: sizes each <iframe data-sanctuary-tracker> to its content and
// tells it whether this page is light or dark. Understands pym.js height messages too.
(function () {
  "use strict";
  if (window.sanctuaryTrackerEmbeds) return;
  window.sanctuaryTrackerEmbeds = true;
  const greeted = new WeakSet();

  function frames() {
    return document.querySelectorAll("iframe[data-sanctuary-tracker]");
  }

  function frameFor(event) {
    for (const frame of frames()) {
      if (frame.contentWindow === event.source && new URL(frame.src, location.href).origin === event.origin) {
        return frame;
      }
    }
    return null;
  }

  function hostTheme() {
    const scheme = getComputedStyle(document.documentElement).colorScheme || "";
    if (scheme.indexOf("dark") > -1 && scheme.indexOf("light") === -1) return "dark";
    const match = getComputedStyle(document.body).backgroundColor.match(/\d+(\.\d+)?/g);
    if (match && match.length >= 3 && (match.length < 4 || Number(match[3]) > 0)) {
      const [r, g, b] = match.map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b < 110 ? "dark" : "light";
    }
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function sendTheme(frame) {
    frame.contentWindow.postMessage({ sanctuaryTracker: "theme", theme: hostTheme() }, new URL(frame.src, location.href).origin);
  }

  window.addEventListener("message", function (event) {
    const frame = frameFor(event);
    if (!frame) return;
    let height = null;
    if (event.data && event.data.sanctuaryTracker === "height") {
      height = Number(event.data.height);
    } else if (typeof event.data === "string" && event.data.indexOf("xPYMx") > -1) {
      const parts = event.data.split("xPYMx");
      if (parts[2] === "height") height = parseInt(parts[3], 10);
    }
    if (height > 0 && height < 20000) frame.style.height = height + "px";
    if (!greeted.has(frame)) {
      greeted.add(frame);
      sendTheme(frame);
    }
  });

  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
    frames().forEach(sendTheme);
  });
})();
