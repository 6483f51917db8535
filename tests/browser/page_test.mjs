// The report and the dashboard, tested in headless Chromium as a person would use them:
// a simulated terminal with a planted violation of every finding type is analysed against
// its site policy; the pages must load without console errors, the map must hold every
// zone of the policy, every planted finding must be in the findings section and on the map
// (its initiator or device flagged, its zones joined by a violating edge), a filter must
// narrow the inventory, and the dashboard must list the planted remote-access session, file
// transfer and PLC block download.
//   node page_test.mjs QUAYWATCH WORKDIR
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import assert from "node:assert/strict";
import { launch, open, serve, stop, dashboardReady } from "../../scripts/browser.mjs";

const [quaywatch, work] = process.argv.slice(2);
if (!quaywatch || !work) {
  console.error("usage: node page_test.mjs QUAYWATCH WORKDIR");
  process.exit(2);
}
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const run = (...args) => execFileSync(quaywatch, args, { stdio: ["ignore", "ignore", "inherit"] });
run("simulate", "--scenario", "violations", "--seed", "5", "--packets", "60000",
    "-o", `${work}/t.pcap`, "--policy-out", `${work}/site.yaml`);
run("analyze", `${work}/t.pcap`, "--policy", `${work}/site.yaml`, "--out", work);

// What the page must show, read from the policy and events.jsonl, not from the page.
const policyText = readFileSync(`${work}/site.yaml`, "utf8");
const zoneBlock = policyText.split(/^conduits:/m)[0];
const zones = [...zoneBlock.matchAll(/\{name: ([^,]+),/g)].map((m) => m[1].trim());
assert.ok(zones.length >= 5, `zones read from the policy: ${zones}`);
const findings = readFileSync(`${work}/events.jsonl`, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const types = new Set(findings.map((f) => f.type));
assert.ok(types.size >= 13, `the scenario plants every policy finding type, got ${[...types]}`);
const safeId = (s) => s.replace(/[^A-Za-z0-9_-]/g, "_");

let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}\n  ${String(e.message).split("\n").join("\n  ")}`);
  }
}

// Checks both pages share: zones on the map, findings in their section and on the map.
async function checkMapAndFindings(page, where) {
  await check(`${where}: the map holds every zone of the policy`, async () => {
    const ids = await page.$$eval("#zone-map svg g.node", (gs) => gs.map((g) => g.id));
    for (const z of zones) assert.ok(ids.includes(`zone-${safeId(z)}`), `zone ${z} not on the map (${ids})`);
  });
  await check(`${where}: every planted finding is in the findings section`, async () => {
    const rows = await page.$$eval("#findings tr.finding", (trs) =>
      trs.map((tr) => ({ type: tr.dataset.type, text: tr.textContent })));
    for (const f of findings) {
      assert.ok(rows.some((r) => r.type === f.type && r.text.includes(f.title)),
                `${f.type} "${f.title}" missing`);
    }
  });
  await check(`${where}: every planted finding is on the map`, async () => {
    const titles = await page.$$eval("#zone-map svg a", (as) =>
      as.map((a) => a.getAttribute("xlink:title") || a.getAttribute("title") || ""));
    const edges = await page.$$eval("#zone-map svg g.edge", (gs) =>
      gs.map((g) => ({ id: g.id, cls: g.getAttribute("class") || "" })));
    for (const f of findings) {
      const who = f.src.ip || f.src.mac;
      assert.ok(titles.some((t) => t.startsWith(who + " ") || t === who ? t.includes(f.type) : false),
                `${f.type}: ${who} not flagged on the map`);
      if (f.dst && f.src.zone && f.dst.zone && f.src.zone !== f.dst.zone) {
        const id = `edge-${safeId(f.src.zone)}--${safeId(f.dst.zone)}`;
        const edge = edges.find((e) => e.id === id);
        assert.ok(edge, `${f.type}: no edge ${id}`);
        assert.ok(edge.cls.includes("violating"), `${f.type}: edge ${id} is ${edge.cls}`);
      }
    }
  });
}

const browser = await launch();
try {
  // The report, opened from its file as someone would open an e-mailed report.
  const errors = [];
  const report = await open(browser, `file://${work}/report.html`, errors);
  await check("report: no console errors", async () => assert.deepEqual(errors, []));
  await check("report: fetches nothing", async () => {
    const external = await report.evaluate(() =>
      performance.getEntriesByType("resource").map((r) => r.name));
    assert.deepEqual(external, []);
  });
  await checkMapAndFindings(report, "report");
  await check("report: a zone filter narrows the inventory to that zone", async () => {
    const total = await report.$$eval("#inventory-table tbody tr", (r) => r.length);
    await report.selectOption("#filter-zone", "cameras");
    const shown = await report.$$eval("#inventory-table tbody tr:not([hidden])", (rs) =>
      rs.map((r) => r.dataset.zones));
    assert.ok(shown.length > 0 && shown.length < total, `${shown.length} of ${total} shown`);
    for (const z of shown) assert.ok(z.includes("|cameras|"), `row of zones ${z} shown`);
    const count = await report.textContent("#inventory-count");
    assert.equal(count, `${shown.length} of ${total} devices`);
  });
  await check("report: the untrusted-supplier filter keeps only attributed devices", async () => {
    await report.selectOption("#filter-zone", "");
    await report.check("#filter-untrusted");
    const shown = await report.$$eval("#inventory-table tbody tr:not([hidden])", (rs) =>
      rs.map((r) => r.dataset.untrusted));
    assert.ok(shown.length > 0 && shown.every((u) => u === "1"), `${shown}`);
  });
  await check("report: the checklist names every guidance item and the violated ones", async () => {
    const rows = await report.$$eval("#checklist-table tbody tr", (trs) =>
      trs.map((tr) => ({ ref: tr.dataset.ref, status: tr.className })));
    assert.ok(rows.length >= 15, `${rows.length} items`);
    const advisories = new Set(findings.filter((f) => f.severity !== "info").flatMap((f) => f.advisory));
    for (const ref of advisories) {
      const row = rows.find((r) => r.ref === ref);
      assert.ok(row && row.status === "check-violated", `${ref}: ${row && row.status}`);
    }
    assert.ok(rows.some((r) => r.status === "check-attest"), "no item left to attest");
  });

  // The dashboard over the same outputs, on loopback.
  const server = await serve(quaywatch, work);
  try {
    const dashErrors = [];
    const dash = await open(browser, server.url, dashErrors);
    await dashboardReady(dash);
    await check("dashboard: no console errors", async () => assert.deepEqual(dashErrors, []));
    await checkMapAndFindings(dash, "dashboard");
    await check("dashboard: a zone filter narrows the inventory", async () => {
      const before = await dash.textContent("#inventory-count");
      await dash.selectOption("#filter-zone", "cameras");
      await dash.waitForFunction((b) => document.getElementById("inventory-count").textContent !== b, before);
      const zonesShown = await dash.$$eval("#inventory-table tbody tr td:nth-child(5)", (tds) => tds.map((t) => t.textContent));
      assert.ok(zonesShown.length > 0 && zonesShown.every((z) => z.split(", ").includes("cameras")), `${zonesShown}`);
      const [shown, total] = (await dash.textContent("#inventory-count")).match(/\d+/g).map(Number);
      assert.ok(shown < total, `${shown} of ${total}`);
    });
    await check("dashboard: remote access, file transfers and PLC blocks are listed", async () => {
      const rows = async (id) => dash.$$eval(`#${id}-table tbody tr`, (trs) =>
        trs.map((tr) => [...tr.children].map((td) => td.textContent)));
      // The planted relay session, TFTP write into crane 4 and OB1 download into crane 1.
      const sessions = await rows("remote_access");
      assert.ok(sessions.some((r) => r[1] === "splashtop" && r[3] !== "" && r[5] === "external"),
                JSON.stringify(sessions));
      const transfers = await rows("file_transfers");
      assert.ok(transfers.some((r) => r[1] === "tftp" && r[2] === "upload"), JSON.stringify(transfers));
      const blocks = await rows("plc_blocks");
      assert.ok(blocks.some((r) => r[1] === "download" && r[2].includes("OB1") && /^[0-9a-f]{64}$/.test(r[8])),
                JSON.stringify(blocks));
      assert.ok((await dash.textContent("#plc_blocks-pager")).match(/of \d+/), "no pager");
    });
  } finally {
    await stop(server);
  }
} finally {
  await browser.close();
}
if (failures) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log("all page checks passed");
