// The dashboard's behaviour: fetches the JSON API (with the token the page was opened with),
// fills the tables page by page, filters the inventory on the server, draws the zone map,
// and refreshes everything whenever the data's version moves (a live capture's snapshot).
(function () {
  "use strict";
  var token = new URLSearchParams(window.location.search).get("token") || "";
  var PAGE = 100;
  var version = -1;
  var pages = { findings: 0, inventory: 0, flows: 0, operations: 0, remote_access: 0,
                file_transfers: 0, plc_blocks: 0 };
  var zoom = null;

  function api(path, params) {
    var query = new URLSearchParams(params || {});
    var url = path + (query.toString() ? "?" + query.toString() : "");
    var headers = token ? { "Authorization": "Bearer " + token } : {};
    return fetch(url, { headers: headers, cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(path + ": HTTP " + r.status);
      return r.json();
    });
  }

  // Builds a table cell from plain text (never HTML: the data comes from the wire).
  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }
  function end(e) {
    if (!e) return "";
    var who = e.ip || e.mac || e.name || "";
    return who + (e.port ? ":" + e.port : "") + (e.zone ? " (" + e.zone + ")" : "");
  }
  function pager(id, key, total, reload) {
    var el = document.getElementById(id);
    el.textContent = "";
    var from = pages[key] * PAGE;
    var info = document.createElement("span");
    info.textContent = total ? (from + 1) + "–" + Math.min(from + PAGE, total) + " of " + total : "none";
    var prev = document.createElement("button");
    prev.textContent = "previous";
    prev.disabled = pages[key] === 0;
    prev.addEventListener("click", function () { pages[key]--; reload(); });
    var next = document.createElement("button");
    next.textContent = "next";
    next.disabled = from + PAGE >= total;
    next.addEventListener("click", function () { pages[key]++; reload(); });
    el.appendChild(prev); el.appendChild(next); el.appendChild(info);
  }
  function fillSelect(id, values) {
    var select = document.getElementById(id);
    var current = select.value;
    while (select.options.length > 1) select.remove(1);
    values.forEach(function (v) {
      var o = document.createElement("option");
      o.value = v; o.textContent = v;
      select.appendChild(o);
    });
    select.value = values.indexOf(current) >= 0 ? current : "";
  }

  function loadFindings() {
    var params = { offset: pages.findings * PAGE, limit: PAGE };
    var sev = document.getElementById("finding-severity").value;
    if (sev) params.severity = sev;
    return api("/api/findings", params).then(function (page) {
      var body = document.querySelector("#findings-table tbody");
      body.textContent = "";
      page.items.forEach(function (f) {
        var tr = document.createElement("tr");
        tr.className = "finding";
        tr.setAttribute("data-type", f.type || "");
        tr.setAttribute("data-severity", f.severity || "");
        var s = document.createElement("span");
        s.className = "sev sev-" + f.severity;
        s.textContent = f.severity;
        cell(tr, "").appendChild(s);
        var what = cell(tr, f.title);
        what.appendChild(document.createElement("br"));
        var t = document.createElement("span");
        t.className = "type";
        t.textContent = f.type + (f.protocol ? " · " + f.protocol : "");
        what.appendChild(t);
        cell(tr, end(f.src));
        cell(tr, end(f.dst));
        cell(tr, f.count, "num");
        var ev = f.evidence || {};
        cell(tr, (ev.capture || "") + " frame " + (ev.frame || ""), "mono");
        body.appendChild(tr);
      });
      document.getElementById("findings-count").textContent = page.total + " findings";
      pager("findings-pager", "findings", page.total, loadFindings);
    });
  }

  function loadInventory() {
    var params = { offset: pages.inventory * PAGE, limit: PAGE };
    var zone = document.getElementById("filter-zone").value;
    var role = document.getElementById("filter-role").value;
    var vendor = document.getElementById("filter-vendor").value;
    var text = document.getElementById("filter-text").value.trim();
    if (zone) params.zone = zone;
    if (role) params.role = role;
    if (vendor) params.vendor = vendor;
    if (document.getElementById("filter-untrusted").checked) params.untrusted = "1";
    if (text) params.q = text;
    return api("/api/assets", params).then(function (page) {
      var body = document.querySelector("#inventory-table tbody");
      body.textContent = "";
      page.items.forEach(function (a) {
        var tr = document.createElement("tr");
        tr.id = "asset-" + a.id;
        var id = a.identity || {};
        cell(tr, a.id, "num");
        cell(tr, (a.ips || []).join(", "), "mono");
        cell(tr, (a.mac || "") + (a.vendor ? " · " + a.vendor : ""), "mono");
        cell(tr, (a.names || []).join(", "));
        cell(tr, (a.zones || []).join(", "));
        cell(tr, (a.roles || []).join(", "));
        cell(tr, id.product || id.product_name || id.model || "");
        cell(tr, id.firmware || id.software || "");
        cell(tr, a.untrusted_supplier ? "yes " + (a.untrusted_supplier.supplier || "") : "");
        cell(tr, a.packets, "num");
        body.appendChild(tr);
      });
      // Past kMaxAssetsRead devices the server holds the most telling; the rest it counts.
      document.getElementById("inventory-count").textContent =
        page.total + " of " + inventoryTotal + " devices" +
        (inventoryUnread ? "; " + inventoryUnread + " more, the least telling, are not listed" : "");
      pager("inventory-pager", "inventory", page.total, loadInventory);
    });
  }
  var inventoryTotal = 0, inventoryUnread = 0;

  function loadLedger(key, path, columns) {
    var reload = function () {
      return api(path, { offset: pages[key] * PAGE, limit: PAGE }).then(function (page) {
        var body = document.querySelector("#" + key + "-table tbody");
        body.textContent = "";
        page.items.forEach(function (r) {
          var tr = document.createElement("tr");
          columns.forEach(function (c) { cell(tr, typeof c === "function" ? c(r) : r[c]); });
          body.appendChild(tr);
        });
        pager(key + "-pager", key, page.total, reload);
      });
    };
    return reload();
  }

  function loadMap() {
    return api("/api/map").then(function (m) {
      var holder = document.getElementById("zone-map");
      if (zoom) { zoom.destroy(); zoom = null; }
      // The SVG comes from Graphviz on the server, which escapes every name in it.
      holder.innerHTML = m.svg;
      var svg = holder.querySelector("svg");
      if (svg && typeof svgPanZoom === "function") {
        svg.setAttribute("width", "100%");
        svg.setAttribute("height", "100%");
        zoom = svgPanZoom(svg, { controlIconsEnabled: true, fit: true, center: true,
                                 minZoom: 0.2, maxZoom: 20 });
      }
    });
  }

  function refresh() {
    return api("/api/summary").then(function (s) {
      var live = document.getElementById("live");
      live.hidden = !s.live;
      if (s.version === version) return null;
      version = s.version;
      var sum = s.summary || {};
      var cap = sum.capture || {};
      var flows = sum.flows || {};
      document.getElementById("site").textContent =
        (sum.policy && sum.policy.site) ? sum.policy.site : "No site policy: inventory and traffic only";
      document.getElementById("card-devices").textContent = s.assets + (s.assets_unread || 0);
      document.getElementById("card-flows").textContent =
        (flows.tcp || 0) + (flows.udp || 0) + (flows.other || 0);
      document.getElementById("card-frames").textContent = cap.frames || 0;
      document.getElementById("card-findings").textContent = s.findings;
      document.getElementById("span").textContent =
        cap.first_ts ? cap.first_ts + " to " + cap.last_ts : "no packets yet";
      inventoryTotal = s.assets;
      inventoryUnread = s.assets_unread || 0;
      var facets = s.facets || {};
      fillSelect("filter-zone", facets.zones || []);
      fillSelect("filter-role", facets.roles || []);
      fillSelect("filter-vendor", facets.vendors || []);
      return Promise.resolve().then(function () {
        return Promise.all([
          loadFindings(), loadInventory(), loadMap(),
          loadLedger("flows", "/api/flows", ["initiator", "initiator_zone", "responder", "responder_zone",
            function (r) { return r.protocol || (r.transport + "/" + r.port); }, "flows", "bytes",
            function (r) { return "capture " + r.capture + " frame " + r.frame; }]),
          loadLedger("operations", "/api/operations", ["category", "protocol", "function", "target",
            "initiator", "initiator_zone", "responder", "responder_zone", "count",
            function (r) { return "capture " + r.capture + " frame " + r.frame; }]),
          // A capture's outputs list each session and transfer; a live capture's snapshot
          // counts them by endpoints, so fields only one of the two has show empty.
          loadLedger("remote_access", "/api/remote_access", ["start_ts", "tool", "client",
            "client_zone", "server", "server_zone", "server_port", "user", "server_software",
            "security", function (r) { return r.sessions || 1; },
            function (r) { return "capture " + r.capture + " frame " + r.frame; }]),
          loadLedger("file_transfers", "/api/file_transfers", ["ts", "protocol", "direction",
            "client", "client_zone", "server", "server_zone", "file_name", "bytes", "sha256",
            function (r) { return r.sessions || 1; },
            function (r) { return "capture " + r.capture + " frame " + r.frame; }]),
          loadLedger("plc_blocks", "/api/plc_blocks", ["ts", "direction", "block",
            function (r) { return r.plc + ":" + r.plc_port; }, "plc_zone", "peer", "peer_zone",
            function (r) { return r.bytes + (r.complete ? "" : " (incomplete)"); }, "sha256",
            function (r) { return "capture " + r.capture + " frames " + r.frame + "-" + r.last_frame; }])
        ]);
      });
    });
  }

  ["filter-zone", "filter-role", "filter-vendor", "filter-untrusted"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", function () { pages.inventory = 0; loadInventory(); });
  });
  document.getElementById("filter-text").addEventListener("input", function () { pages.inventory = 0; loadInventory(); });
  document.getElementById("finding-severity").addEventListener("change", function () { pages.findings = 0; loadFindings(); });

  var failures = 0;
  function tick() {
    refresh().then(function () {
      failures = 0;
      document.getElementById("live").classList.remove("stale");
    }, function () {
      failures++;
      document.getElementById("live").classList.add("stale");
    }).then(function () { setTimeout(tick, failures ? 5000 : 3000); });
  }
  tick();
})();
