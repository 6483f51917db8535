// The report's behaviour: sortable tables, the inventory's filters, and pan and zoom on the
// zone map (svg-pan-zoom, inlined from npm). Everything works on the page's own rows: the
// report fetches nothing.
(function () {
  "use strict";

  // Sorts a table's body by the clicked column; numbers by data-value or their text.
  function makeSortable(table) {
    var headers = table.querySelectorAll("thead th[data-sort]");
    headers.forEach(function (th) {
      th.addEventListener("click", function () {
        var index = Array.prototype.indexOf.call(th.parentNode.children, th);
        var numeric = th.getAttribute("data-sort") === "num";
        var ascending = !th.classList.contains("sorted-asc");
        headers.forEach(function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
        th.classList.add(ascending ? "sorted-asc" : "sorted-desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var cell = row.cells[index];
          if (!cell) return numeric ? 0 : "";
          if (numeric) {
            var v = cell.getAttribute("data-value");
            var n = parseFloat(v !== null ? v : cell.textContent.replace(/[^0-9.\-]/g, ""));
            return isNaN(n) ? 0 : n;
          }
          return cell.textContent.trim().toLowerCase();
        };
        rows.sort(function (a, b) {
          var ka = key(a), kb = key(b);
          var c = ka < kb ? -1 : ka > kb ? 1 : 0;
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  document.querySelectorAll("table.sortable").forEach(makeSortable);

  // The inventory's filters: zone, role, vendor, untrusted supplier and free text.
  var table = document.getElementById("inventory-table");
  if (table) {
    var zone = document.getElementById("filter-zone");
    var role = document.getElementById("filter-role");
    var vendor = document.getElementById("filter-vendor");
    var untrusted = document.getElementById("filter-untrusted");
    var text = document.getElementById("filter-text");
    var count = document.getElementById("inventory-count");
    var apply = function () {
      var rows = table.tBodies[0].rows;
      var shown = 0;
      var needle = text.value.trim().toLowerCase();
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i];
        var ok = (!zone.value || r.getAttribute("data-zones").indexOf("|" + zone.value + "|") >= 0) &&
                 (!role.value || r.getAttribute("data-roles").indexOf("|" + role.value + "|") >= 0) &&
                 (!vendor.value || r.getAttribute("data-vendor") === vendor.value) &&
                 (!untrusted.checked || r.getAttribute("data-untrusted") === "1") &&
                 (!needle || r.textContent.toLowerCase().indexOf(needle) >= 0);
        r.hidden = !ok;
        if (ok) shown++;
      }
      count.textContent = shown + " of " + rows.length + " devices";
    };
    [zone, role, vendor, untrusted].forEach(function (el) { el.addEventListener("change", apply); });
    text.addEventListener("input", apply);
  }

  // Pan and zoom on the map; reset before printing so the whole map is on paper.
  var svg = document.querySelector("#zone-map svg");
  if (svg && typeof svgPanZoom === "function") {
    var zoom = svgPanZoom(svg, { zoomEnabled: true, controlIconsEnabled: true, fit: true,
                                 center: true, minZoom: 0.2, maxZoom: 20 });
    // Refit after the window changes, once the layout has settled; a map with no size yet
    // (a hidden or collapsing box) is left alone.
    var refit = function () {
      if (!svg.clientWidth || !svg.clientHeight) return;
      try { zoom.resize(); zoom.fit(); zoom.center(); } catch (e) { /* degenerate size */ }
    };
    var pending = 0;
    window.addEventListener("resize", function () {
      if (pending) return;
      pending = setTimeout(function () { pending = 0; refit(); }, 150);
    });
    window.addEventListener("beforeprint", function () {
      try { zoom.resetZoom(); } catch (e) { /* degenerate size */ }
      refit();
    });
  }
  // A device clicked on the map: show its row even when a filter hid it.
  document.querySelectorAll("#zone-map a").forEach(function (a) {
    a.addEventListener("click", function () {
      var href = a.getAttribute("href") || a.getAttribute("xlink:href") || "";
      var row = href.charAt(0) === "#" ? document.getElementById(href.slice(1)) : null;
      if (row) row.hidden = false;
    });
  });
})();
