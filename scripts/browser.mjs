// Drives Debian's Chromium (headless, through playwright-core from web/node_modules) over the
// report and the dashboard, as a person would: used by the page tests and by `make demo`
// for its screenshots. Nothing here talks to the network beyond the loopback dashboard.
import { createRequire } from "node:module";
import { spawn } from "node:child_process";
import { once } from "node:events";

const require = createRequire(new URL("../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

/** Launches Chromium the way this machine's closed network needs. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Opens `url` in a fresh page; `errors` collects console errors and uncaught exceptions. */
export async function open(browser, url, errors) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(url, { waitUntil: "load" });
  return page;
}

/** Starts `quaywatch serve DIR --listen LISTEN` and resolves with {process, url, token}. */
export async function serve(quaywatch, dir, listen = "127.0.0.1:0") {
  const child = spawn(quaywatch, ["serve", dir, "--listen", listen],
                      { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const found = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no address: ${out}`)), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      const url = out.match(/at (http:\/\/\S+)/);
      const token = out.match(/the token ([0-9a-f]+)/);
      if (url && (!/\?token=/.test(url[1]) || token)) {
        clearTimeout(timer);
        resolve({ url: url[1], token: token ? token[1] : "" });
      }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`serve exited ${code}: ${out}`)); });
  });
  return { process: child, ...found };
}

/** Stops a served dashboard. */
export async function stop(server) {
  if (server.process.exitCode !== null) return;
  server.process.kill("SIGTERM");
  await once(server.process, "exit");
}

/** Waits until the dashboard has drawn its map and filled its tables. */
export async function dashboardReady(page) {
  await page.waitForSelector("#zone-map svg g.node", { timeout: 30000 });
  await page.waitForFunction(() =>
    document.querySelectorAll("#inventory-table tbody tr").length > 0 &&
    document.getElementById("card-devices").textContent !== "–", null, { timeout: 30000 });
}
