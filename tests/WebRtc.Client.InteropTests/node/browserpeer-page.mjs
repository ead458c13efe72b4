// Opens the BrowserPeer sample's page in headless Chromium, waits for its data channel, sends one
// message through the page's form, waits for the echo and keeps a screenshot.
// Usage: node browserpeer-page.mjs URL SCREENSHOT_PATH MESSAGE
// Prints one JSON line: { ok, connection, pair, log } (and { ok:false, error } on failure).
import { launchChromium } from "./chromium-launch.mjs";
import { log } from "./protocol.mjs";

const [url, screenshotPath, message] = process.argv.slice(2);
if (!url || !screenshotPath || !message) {
  log("usage: node browserpeer-page.mjs URL SCREENSHOT_PATH MESSAGE");
  process.exit(2);
}

const browser = await launchChromium();
let result;
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 500 } });
  page.on("console", (m) => log(`[page ${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => log(`[page error] ${e.stack || e.message}`));
  await page.goto(url);
  try {
    await page.waitForSelector("#send:not([disabled])", { timeout: 20000 });
    await page.fill("#text", message);
    await page.click("#send");
    await page.waitForFunction((m) => document.getElementById("log").textContent.includes("echo: " + m), message, { timeout: 10000 });
    // The selected pair is filled in from getStats once connected; give it a moment to land.
    await page.waitForFunction(() => document.getElementById("pair").textContent !== "-", null, { timeout: 5000 }).catch(() => {});
    result = { ok: true };
  } catch (e) {
    result = { ok: false, error: String(e && e.message) };
  }
  Object.assign(result, await page.evaluate(() => ({
    connection: document.getElementById("connection").textContent,
    pair: document.getElementById("pair").textContent,
    log: [...document.querySelectorAll("#log div")].map((d) => d.textContent),
  })));
  await page.screenshot({ path: screenshotPath });
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(result.ok ? 0 : 1);
