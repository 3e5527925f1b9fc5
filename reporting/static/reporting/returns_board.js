/* The corridor board's charts: plain SVG drawn from the page's JSON (no library, no CDN).
   1. procedures at each step: one stacked horizontal bar per corridor;
   2. median days per step: grouped bars per corridor. */
(function () {
  "use strict";
  var dataEl = document.getElementById("board-data");
  if (!dataEl) { return; }
  var data = JSON.parse(dataEl.textContent);
  var NS = "http://www.w3.org/2000/svg";
  var COLOURS = ["#1f5f8b", "#3b8bc2", "#6fb0d9", "#9ccb6b", "#4f9a3c", "#1e7a3c",
                 "#8a6fc4", "#5b6676", "#a15c00", "#a11d2b"];

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function legend(svg, items, y, width) {
    var x = 0;
    items.forEach(function (item, i) {
      var w = 14 + item.label.length * 6.5 + 12;
      if (x + w > width) { x = 0; y += 18; }
      svg.appendChild(el("rect", { x: x, y: y, width: 10, height: 10, fill: COLOURS[i % COLOURS.length] }));
      svg.appendChild(el("text", { x: x + 14, y: y + 9, "font-size": 11 }, item.label));
      x += w;
    });
    return y + 18;
  }

  function stepsChart(target) {
    var width = Math.max(target.clientWidth || 320, 260);
    var rowH = 26, labelW = Math.min(140, width * 0.35), top = 4;
    var max = 1;
    data.corridors.forEach(function (c) { max = Math.max(max, c.total); });
    var svg = el("svg", { width: width, viewBox: "0 0 " + width + " 10", "class": "chart-svg" });
    data.corridors.forEach(function (c, r) {
      var y = top + r * rowH;
      svg.appendChild(el("text", { x: 0, y: y + 15, "font-size": 12 }, c.label));
      var x = labelW;
      data.steps.forEach(function (s, i) {
        var n = c.by_step[s.code] || 0;
        if (!n) { return; }
        var w = (width - labelW - 30) * n / max;
        var rect = el("rect", { x: x, y: y + 3, width: w, height: rowH - 8, fill: COLOURS[i % COLOURS.length],
                                "data-step": s.code });
        rect.appendChild(el("title", {}, c.label + " · " + s.label + ": " + n));
        svg.appendChild(rect);
        x += w;
      });
      svg.appendChild(el("text", { x: x + 4, y: y + 15, "font-size": 11, fill: "#5b6676" }, String(c.total)));
    });
    var h = legend(svg, data.steps, top + data.corridors.length * rowH + 6, width);
    svg.setAttribute("height", h);
    svg.setAttribute("viewBox", "0 0 " + width + " " + h);
    target.appendChild(svg);
  }

  function mediansChart(target) {
    var width = Math.max(target.clientWidth || 320, 260);
    var steps = data.timed_steps, groupH = 12 * steps.length + 14, labelW = Math.min(140, width * 0.35);
    var max = 1;
    data.corridors.forEach(function (c) {
      steps.forEach(function (s) { max = Math.max(max, c.median_days_per_step[s.code] || 0); });
    });
    var svg = el("svg", { width: width, "class": "chart-svg" });
    data.corridors.forEach(function (c, r) {
      var y0 = r * groupH;
      svg.appendChild(el("text", { x: 0, y: y0 + 12, "font-size": 12 }, c.label));
      steps.forEach(function (s, i) {
        var v = c.median_days_per_step[s.code];
        if (v === null || v === undefined) { return; }
        var w = Math.max(1, (width - labelW - 40) * v / max);
        var rect = el("rect", { x: labelW, y: y0 + i * 12 + 2, width: w, height: 10,
                                fill: COLOURS[i % COLOURS.length], "data-step": s.code });
        rect.appendChild(el("title", {}, c.label + " · " + s.label + ": " + v + " d"));
        svg.appendChild(rect);
        svg.appendChild(el("text", { x: labelW + w + 3, y: y0 + i * 12 + 11, "font-size": 10, fill: "#5b6676" }, v + " d"));
      });
    });
    var h = legend(svg, steps, data.corridors.length * groupH + 6, width);
    svg.setAttribute("height", h);
    svg.setAttribute("viewBox", "0 0 " + width + " " + h);
    target.appendChild(svg);
  }

  var a = document.getElementById("chart-steps");
  var b = document.getElementById("chart-medians");
  if (a) { stepsChart(a); }
  if (b) { mediansChart(b); }
})();
