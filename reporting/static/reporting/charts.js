/* Concord's own tiny bar chart: reads each figure's JSON (json_script) and draws an SVG.
   A suppressed cell ("<5") has no value: it gets no bar, only its label. No external library. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, text) {
    var n = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) { n.textContent = text; }
    return n;
  }
  document.querySelectorAll(".chart[data-chart]").forEach(function (box) {
    var id = box.getAttribute("data-chart").replace(/^chart-/, "");
    var src = document.getElementById(id);
    if (!src) { return; }
    var rows = JSON.parse(src.textContent);
    if (!rows.length) { return; }
    var max = Math.max.apply(null, rows.map(function (r) { return r.value || 0; })) || 1;
    var barH = 18, gap = 6, labelW = 160, width = 520;
    var svg = el("svg", { viewBox: "0 0 " + width + " " + (rows.length * (barH + gap)), width: "100%", class: "bars" });
    rows.forEach(function (r, i) {
      var y = i * (barH + gap);
      svg.appendChild(el("text", { x: 0, y: y + 13, "font-size": 11 }, r.label.slice(0, 26)));
      var w = r.value ? Math.max(2, (width - labelW - 40) * r.value / max) : 0;
      if (w) { svg.appendChild(el("rect", { x: labelW, y: y, width: w, height: barH, fill: "#1f5f8b" })); }
      svg.appendChild(el("text", { x: labelW + w + 4, y: y + 13, "font-size": 11 }, r.display));
    });
    box.appendChild(svg);
  });
})();
