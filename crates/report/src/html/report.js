
(function () {
  "use strict";
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };
  var key = function (cell) {
    var v = cell ? cell.getAttribute("data-v") : null;
    return v === null ? (cell ? cell.textContent.trim() : "") : v;
  };
  var lang = document.documentElement.lang || "zh-CN";
  function sort(table, th, col) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    each(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var numeric = th.getAttribute("data-type") === "num";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]);
      if (numeric) {
        var p = parseFloat(x), q = parseFloat(y);
        if (isNaN(p) || isNaN(q)) { return isNaN(p) === isNaN(q) ? 0 : (isNaN(p) ? 1 : -1); }
        return ascending ? p - q : q - p;
      }
      var r = x.localeCompare(y, lang);
      return ascending ? r : -r;
    });
    each(rows, function (r) { body.appendChild(r); });
  }
  each(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tHead.rows.length) { return; }
    each(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      th.addEventListener("click", function () { sort(table, th, col); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(table, th, col); }
      });
    });
  });
  each(document.querySelectorAll("input.filter"), function (input) {
    var id = input.getAttribute("data-table");
    var table = document.getElementById(id);
    var shown = document.querySelector("span.shown[data-table='" + id + "']");
    if (!table) { return; }
    var unit = shown ? shown.textContent.replace(/^[\d,]+\s*/, "") : "";
    var update = function () {
      var query = input.value.trim().toLowerCase();
      var rows = table.tBodies[0].rows, n = 0;
      each(rows, function (row) {
        var hit = !query || row.textContent.toLowerCase().indexOf(query) >= 0;
        row.hidden = !hit;
        if (hit) { n += 1; }
      });
      if (shown) {
        shown.textContent = (query ? n + " / " + rows.length : String(rows.length)) + " " + unit;
      }
    };
    input.addEventListener("input", update);
    update();
  });
  var opened = [];
  window.addEventListener("beforeprint", function () {
    each(document.querySelectorAll("details:not([open])"), function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () {
    each(opened, function (d) { d.open = false; });
    opened = [];
  });
  document.body.setAttribute("data-ready", "true");
})();
