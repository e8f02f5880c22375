// fnaudit report: filters (severity floor, function, free text, suppressed findings) and the
// function cards, which are native <details> (collapsed but for the riskiest). No network, no libraries.
//
// Collapsed cards and filters: every filter hides the findings (and cards) that do not match and
// shows "n of m match" on each card's summary line; the narrow filters (a search text, one
// function) also open the cards they match in, and close them again when cleared, so a match is
// never hidden inside a closed card. The severity floor alone only counts: opening every card
// with a high finding would make the page as long as it was before cards collapsed.
(function () {
  "use strict";
  var RANK = { critical: 4, high: 3, medium: 2, low: 1, info: 0, none: -1 };
  var sev = document.getElementById("f-sev");
  var fn = document.getElementById("f-fn");
  var q = document.getElementById("f-q");
  var sup = document.getElementById("f-sup");
  var count = document.getElementById("f-count");
  var none = document.getElementById("none-shown");
  var toggle = document.getElementById("f-toggle");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card"));

  function details(card) { return card.querySelector("details.card-details"); }

  // open a <details> because a narrow filter matches inside it (remembered, to close it again when
  // the filter is cleared), or close one the filter opened
  function reveal(d, wanted) {
    if (wanted && !d.open) {
      d.open = true;
      d.setAttribute("data-auto", "");
    } else if (!wanted && d.hasAttribute("data-auto")) {
      d.open = false;
      d.removeAttribute("data-auto");
    }
  }

  function showMatches(pill, visible, rows, on) {
    if (!pill) { return; }
    pill.hidden = !on;
    pill.textContent = visible + " of " + rows + " match";
  }

  function setAll(open) {
    cards.forEach(function (card) {
      var d = details(card);
      if (d && !card.hidden) { d.open = open; d.removeAttribute("data-auto"); }
    });
  }

  // the ranking table and any #fn-N link open the card they point at
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var card = id ? document.getElementById(id) : null;
    var d = card && card.classList.contains("card") ? details(card) : null;
    if (d) { d.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  document.querySelectorAll("#ranking a[href^='#']").forEach(function (a) { a.addEventListener("click", openTarget); });
  openTarget();

  // print every card, then put them back as they were
  var printed = [];
  window.addEventListener("beforeprint", function () {
    printed = cards.map(function (card) { var d = details(card); return d ? d.open : false; });
    setAll(true);
  });
  window.addEventListener("afterprint", function () {
    cards.forEach(function (card, i) { var d = details(card); if (d) { d.open = printed[i]; } });
  });

  if (!sev || !fn || !q || !sup) { return; }
  if (toggle) {
    toggle.hidden = false;
    document.getElementById("f-expand").addEventListener("click", function () { setAll(true); });
    document.getElementById("f-collapse").addEventListener("click", function () { setAll(false); });
  }

  function apply() {
    var floor = sev.value === "all" ? -1 : RANK[sev.value];
    var wanted = fn.value;
    var text = q.value.trim().toLowerCase();
    var showSup = sup.checked;
    var shown = {}, total = {}, cardsShown = 0;
    var filtering = floor >= 0 || text !== "";
    var narrow = text !== "" || wanted !== "";
    cards.forEach(function (card) {
      var name = card.getAttribute("data-fn");
      var fnOk = !wanted || name === wanted;
      var visible = 0, rows = 0;
      card.querySelectorAll(".finding").forEach(function (row) {
        var suppressed = row.getAttribute("data-suppressed") === "true";
        var fid = row.getAttribute("data-fid");
        if (!suppressed) { total[fid] = true; }
        if (showSup || !suppressed) { rows += 1; }
        var ok = fnOk && Number(row.getAttribute("data-rank")) >= floor && (showSup || !suppressed) &&
          (text === "" || row.textContent.toLowerCase().indexOf(text) !== -1);
        row.hidden = !ok;
        if (ok) { visible += 1; if (!suppressed) { shown[fid] = true; } }
      });
      var grouped = card.id === "app-level" || card.id === "unattributed";  // no function to filter by
      var cardOk = fnOk && (visible > 0 || (!filtering && !grouped));
      if (grouped) { cardOk = !wanted && visible > 0; }
      card.hidden = !cardOk;
      if (cardOk) { cardsShown += 1; }
      showMatches(card.querySelector(".card-head .match"), visible, rows, filtering && cardOk);
      var d = details(card);
      if (d) { reveal(d, narrow && cardOk && visible > 0); }
      card.querySelectorAll("details.shared-findings").forEach(function (group) {
        var all = group.querySelectorAll(showSup ? ".finding" : ".finding[data-suppressed=false]").length;
        var seen = group.querySelectorAll(".finding:not([hidden])").length;
        showMatches(group.querySelector("summary .match"), seen, all, filtering);
        reveal(group, narrow && seen > 0);
      });
    });
    document.querySelectorAll("#ranking .rank-row").forEach(function (row) {
      var worst = RANK[row.getAttribute("data-worst")];
      row.hidden = (wanted && row.getAttribute("data-fn") !== wanted) || (floor >= 0 && worst < floor);
    });
    // a finding about a shared role appears on each of its functions' cards: count it once (by its
    // id in the scan, not its fingerprint, which two distinct findings may share)
    if (count) { count.textContent = Object.keys(shown).length + " of " + Object.keys(total).length + " findings shown"; }
    if (none) { none.hidden = cardsShown > 0; }
  }

  [sev, fn, sup].forEach(function (el) { el.addEventListener("change", apply); });
  q.addEventListener("input", apply);
  apply();
}());
