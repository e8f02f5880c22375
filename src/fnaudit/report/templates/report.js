// fnaudit report filters: severity floor, function, free text, suppressed findings. No network, no libraries.
(function () {
  "use strict";
  var RANK = { critical: 4, high: 3, medium: 2, low: 1, info: 0, none: -1 };
  var sev = document.getElementById("f-sev");
  var fn = document.getElementById("f-fn");
  var q = document.getElementById("f-q");
  var sup = document.getElementById("f-sup");
  var count = document.getElementById("f-count");
  var none = document.getElementById("none-shown");
  if (!sev || !fn || !q || !sup) { return; }

  function apply() {
    var floor = sev.value === "all" ? -1 : RANK[sev.value];
    var wanted = fn.value;
    var text = q.value.trim().toLowerCase();
    var showSup = sup.checked;
    var shown = {}, total = {}, cardsShown = 0;
    var filtering = floor >= 0 || text !== "";
    document.querySelectorAll(".card").forEach(function (card) {
      var name = card.getAttribute("data-fn");
      var fnOk = !wanted || name === wanted;
      var visible = 0;
      card.querySelectorAll(".finding").forEach(function (row) {
        var suppressed = row.getAttribute("data-suppressed") === "true";
        var fp = row.getAttribute("data-fp");
        if (!suppressed) { total[fp] = true; }
        var ok = fnOk && Number(row.getAttribute("data-rank")) >= floor && (showSup || !suppressed) &&
          (text === "" || row.textContent.toLowerCase().indexOf(text) !== -1);
        row.hidden = !ok;
        if (ok) { visible += 1; if (!suppressed) { shown[fp] = true; } }
      });
      var cardOk = fnOk && (visible > 0 || (!filtering && card.id !== "app-level"));
      if (card.id === "app-level") { cardOk = !wanted && visible > 0; }
      card.hidden = !cardOk;
      if (cardOk) { cardsShown += 1; }
    });
    document.querySelectorAll("#ranking .rank-row").forEach(function (row) {
      var worst = RANK[row.getAttribute("data-worst")];
      row.hidden = (wanted && row.getAttribute("data-fn") !== wanted) || (floor >= 0 && worst < floor);
    });
    // a finding about a shared role appears on each of its functions' cards: count it once
    if (count) { count.textContent = Object.keys(shown).length + " of " + Object.keys(total).length + " findings shown"; }
    if (none) { none.hidden = cardsShown > 0; }
  }

  [sev, fn, sup].forEach(function (el) { el.addEventListener("change", apply); });
  q.addEventListener("input", apply);
  apply();
}());
