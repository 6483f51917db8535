// `make demo`'s last step: a screenshot of the report and of the dashboard, saved beside the
// outputs (report.png, dashboard.png), taken in headless Chromium.
//   node scripts/screenshots.mjs QUAYWATCH DIR
import { resolve } from "node:path";
import { launch, open, serve, stop, dashboardReady } from "./browser.mjs";

const [quaywatch, dirArg] = process.argv.slice(2);
if (!quaywatch || !dirArg) {
  console.error("usage: node scripts/screenshots.mjs QUAYWATCH DIR");
  process.exit(2);
}
const dir = resolve(dirArg);
const browser = await launch();
try {
  const errors = [];
  const report = await open(browser, `file://${dir}/report.html`, errors);
  await report.screenshot({ path: `${dir}/report.png`, fullPage: true });
  const server = await serve(quaywatch, dir);
  try {
    const dash = await open(browser, server.url, errors);
    await dashboardReady(dash);
    await dash.screenshot({ path: `${dir}/dashboard.png`, fullPage: false });
    await dash.locator("#map").scrollIntoViewIfNeeded();
    await dash.screenshot({ path: `${dir}/dashboard-map.png`, fullPage: false });
  } finally {
    await stop(server);
  }
  if (errors.length) {
    console.error(`screenshots: the pages reported errors:\n  ${errors.join("\n  ")}`);
    process.exitCode = 1;
  }
  console.log(`screenshots: ${dir}/report.png, ${dir}/dashboard.png, ${dir}/dashboard-map.png`);
} finally {
  await browser.close();
}
