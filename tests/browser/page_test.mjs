// The report and the dashboard, tested in headless Chromium as a person would use them:
// a simulated terminal with a planted violation of every finding type is analysed against
// its site policy; the pages must load without console errors, the map must hold every
// zone of the policy, every planted finding must be in the findings section and on the map
// (its initiator or device flagged, its zones joined by a violating edge), a filter must
// narrow the inventory, and the dashboard must list the planted remote-access session, file
// transfer and PLC block download. A second network, of more devices than the dashboard
// holds, must have the dashboard and the report say how many they leave out.
//   node page_test.mjs QUAYWATCH WORKDIR
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

// A classic pcap of one UDP datagram from each of `sources` devices (own MAC, own address
// 10.x.y.z) to one collector: every source is a device of its own.
function spoofedSources(path, sources) {
  const frameLen = 14 + 20 + 8 + 4;
  const out = Buffer.alloc(24 + sources * (16 + frameLen));
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(65535, 16);
  out.writeUInt32LE(1, 20);  // Ethernet
  let at = 24;
  for (let i = 0; i < sources; i++) {
    const n = i + 1;
    out.writeUInt32LE(1700000000 + Math.floor(i / 1000), at);
    out.writeUInt32LE((i % 1000) * 1000, at + 4);
    out.writeUInt32LE(frameLen, at + 8);
    out.writeUInt32LE(frameLen, at + 12);
    const f = at + 16;
    Buffer.from([0x02, 0, 0, 0, 0, 1, 0x02, 0x01, 0, (n >> 16) & 255, (n >> 8) & 255, n & 255, 0x08, 0x00]).copy(out, f);
    const ip = f + 14;
    Buffer.from([0x45, 0, 0, 32, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, (n >> 16) & 255, (n >> 8) & 255, n & 255,
                 10, 255, 255, 254]).copy(out, ip);
    let sum = 0;
    for (let k = 0; k < 20; k += 2) sum += out.readUInt16BE(ip + k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    out.writeUInt16BE(~sum & 0xffff, ip + 10);
    const udp = ip + 20;
    out.writeUInt16BE(40000, udp);
    out.writeUInt16BE(5999, udp + 2);
    out.writeUInt16BE(12, udp + 4);  // checksum 0: none, as UDP over IPv4 allows
    out.writeUInt32BE(n, udp + 8);
    at += 16 + frameLen;
  }
  writeFileSync(path, out);
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

  // More devices than kMaxAssetsRead (10,000): the dashboard holds the most telling and
  // counts the rest; the report says where the rest are.
  const sources = 10050, many = `${work}/many`;
  mkdirSync(many, { recursive: true });
  spoofedSources(`${many}/many.pcap`, sources);
  run("analyze", `${many}/many.pcap`, "--out", many);
  const devices = JSON.parse(readFileSync(`${many}/summary.json`, "utf8")).assets;
  assert.equal(devices, sources + 1, "every source and the collector are devices");
  const manyServer = await serve(quaywatch, many);
  try {
    const manyErrors = [];
    const dash = await open(browser, manyServer.url, manyErrors);
    await dash.waitForFunction(() => /devices/.test(document.getElementById("inventory-count").textContent),
                               null, { timeout: 30000 });
    await check("dashboard past 10,000 devices: counts every device, says how many it leaves out", async () => {
      assert.deepEqual(manyErrors, []);
      assert.equal(await dash.textContent("#card-devices"), String(devices));
      await dash.waitForFunction(() => /not listed/.test(document.getElementById("inventory-count").textContent),
                                 null, { timeout: 30000 });
      assert.equal(await dash.textContent("#inventory-count"),
                   `10000 of 10000 devices; ${devices - 10000} more, the least telling, are not listed`);
    });
  } finally {
    await stop(manyServer);
  }
  await check("report past 10,000 devices: says where the devices it leaves out are", async () => {
    const errors = [];
    const page = await open(browser, `file://${many}/report.html`, errors);
    assert.deepEqual(errors, []);
    const listed = await page.$$eval("#inventory-table tbody tr", (r) => r.length);
    const note = await page.textContent("p.note:has-text('more devices are in assets.json')");
    assert.ok(note.startsWith(`${devices - listed} more devices are in assets.json`), `${listed} rows; ${note}`);
  });
} finally {
  await browser.close();
}
if (failures) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log("all page checks passed");
