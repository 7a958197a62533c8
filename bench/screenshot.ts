// The first screen of an HTML report in headless Chromium (the picture in the README):
//   node dist/bench/screenshot.js report.html samples/report.png [width] [height]
// Prints how long the page took to load. Debian's /usr/bin/chromium, driven by puppeteer-core.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";

const [page, png, width = "1400", height = "1000"] = process.argv.slice(2);
if (page === undefined || png === undefined) {
  process.stderr.write("usage: screenshot.js <page.html> <out.png> [width] [height]\n");
  process.exit(1);
}
const profile = mkdtempSync(join(tmpdir(), "esa-dane-screenshot-"));
const browser = await puppeteer.launch({
  executablePath: process.env["ESA_DANE_CHROMIUM"] ?? "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`],
});
try {
  const tab = await browser.newPage();
  await tab.setViewport({ width: Number(width), height: Number(height) });
  const started = performance.now();
  await tab.goto(pathToFileURL(resolve(page)).href, { waitUntil: "load" });
  const loaded = performance.now() - started;
  await tab.screenshot({ path: png as `${string}.png` });
  process.stdout.write(`${page}: loaded in ${Math.round(loaded)} ms; ${png} written\n`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
