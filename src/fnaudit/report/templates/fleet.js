// The fleet report's targets table: sort by a click on a column heading (again: the other way), filter by
// name and status. Cells carry their sort value in data-value; nothing here reads or writes the network.
(function () {
  "use strict";
  var table = document.getElementById("targets");
  if (!table) { return; }
  var body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var query = document.getElementById("t-q");
  var status = document.getElementById("t-status");
  var count = document.getElementById("t-count");

  function value(row, index, numeric) {
    var v = row.cells[index].getAttribute("data-value") || "";
    return numeric ? parseFloat(v) || 0 : v.toLowerCase();
  }

  function sortBy(index) {
    var th = heads[index];
    var numeric = th.getAttribute("data-type") === "num";
    // numbers start with the largest (the riskiest target first), names from A
    var current = th.getAttribute("aria-sort");
    var descending = current ? current === "ascending" : numeric;
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, index, numeric), y = value(b, index, numeric);
      var c = x < y ? -1 : x > y ? 1 : 0;
      if (c === 0) { c = value(a, 0, false) < value(b, 0, false) ? -1 : 1; }
      return descending && x !== y ? -c : c;
    });
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function filter() {
    var q = query.value.trim().toLowerCase();
    var s = status.value;
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var ok = (!q || row.getAttribute("data-name").toLowerCase().indexOf(q) >= 0) &&
        (!s || row.getAttribute("data-status") === s);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + body.rows.length + " targets shown";
  }

  heads.forEach(function (th, index) {
    th.querySelector("button").addEventListener("click", function () { sortBy(index); });
  });
  query.addEventListener("input", filter);
  status.addEventListener("change", filter);
})();
