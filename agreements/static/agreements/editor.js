// The editor's live compliance panel: as the coordinator types, post the unsaved clauses to the
// compliance API endpoint (nothing is saved) and redraw the panel. No library, no CDN.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var panel = document.getElementById("compliance-panel");
  if (!form || !panel) { return; }
  var url = form.getAttribute("data-compliance-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = null;
  var seq = 0;

  function collect() {
    var clauses = {};
    form.querySelectorAll("textarea[data-element]").forEach(function (area) {
      var key = area.getAttribute("data-element");
      clauses[key] = clauses[key] || {};
      clauses[key][area.getAttribute("data-lang")] = area.value;
    });
    var commitments = [];
    form.querySelectorAll("input[name=commitments]:checked").forEach(function (box) {
      commitments.push(box.value);
    });
    return { clauses: clauses, commitments: commitments };
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function draw(report) {
    var summary = document.getElementById("compliance-summary");
    summary.textContent = report.summary;
    summary.className = report.passes ? "state-ok" : "error";
    var list = document.getElementById("compliance-elements");
    list.textContent = "";
    report.elements.forEach(function (e) {
      var badge = document.querySelector('[data-status-for="' + e.key + '"]');
      if (badge) { badge.textContent = e.status; badge.className = "status status-" + e.status; }
      if ((e.status !== "present" && e.required) || e.status === "weak") {
        var li = el("li");
        li.setAttribute("data-key", e.key);
        li.appendChild(el("span", "status status-" + e.status, e.status));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("strong", "", e.title));
        e.reasons.forEach(function (r) {
          li.appendChild(el("br"));
          li.appendChild(el("span", "hint", r));
        });
        list.appendChild(li);
      }
    });
    var c = report.commitments;
    var line = document.getElementById("compliance-commitments");
    line.textContent = line.textContent.replace(/\d+\D+\d+\s*$/, c.ticked + " / " + c.total);
    panel.setAttribute("data-checked", String(seq));
  }

  function check() {
    var mine = ++seq;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token,
                 "Accept": "application/json" },
      body: JSON.stringify(collect())
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (report) { if (report && mine === seq) { draw(report); } })
      .catch(function () { /* offline: the panel keeps its last answer */ });
  }

  function soon() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, 350);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
})();
