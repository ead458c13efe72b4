// Opens the BrowserPeer sample's page in headless Chromium or Firefox, waits for its data channel, sends
// one message through the page's form, waits for the echo and keeps a screenshot.
// Usage: node browserpeer-page.mjs [--browser chromium|firefox] URL SCREENSHOT_PATH MESSAGE
// Prints one JSON line: { ok, browser, connection, pair, log } (and { ok:false, error } on failure).
import { launchChromium } from "./chromium-launch.mjs";
import { launchFirefox } from "./firefox-launch.mjs";
import { log } from "./protocol.mjs";

const args = process.argv.slice(2);
let browserName = "chromium";
if (args[0] === "--browser") {
  browserName = args[1];
  args.splice(0, 2);
}

// The few calls where playwright-core (Chromium) and puppeteer-core (Firefox) differ.
const drivers = {
  chromium: {
    launch: launchChromium,
    newPage: (browser, viewport) => browser.newPage({ viewport }),
    waitForFunction: (page, fn, arg, timeout) => page.waitForFunction(fn, arg, { timeout }),
  },
  firefox: {
    launch: launchFirefox,
    async newPage(browser, viewport) {
      const page = await browser.newPage();
      await page.setViewport(viewport);
      return page;
    },
    waitForFunction: (page, fn, arg, timeout) => page.waitForFunction(fn, { timeout }, arg),
  },
};

const driver = drivers[browserName];
const [url, screenshotPath, message] = args;
if (!driver || !url || !screenshotPath || !message) {
  log("usage: node browserpeer-page.mjs [--browser chromium|firefox] URL SCREENSHOT_PATH MESSAGE");
  process.exit(2);
}

const browser = await driver.launch();
let result;
try {
  const page = await driver.newPage(browser, { width: 900, height: 500 });
  page.on("console", (m) => log(`[page ${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => log(`[page error] ${e.stack || e.message}`));
  await page.goto(url);
  try {
    await page.waitForSelector("#send:not([disabled])", { timeout: 20000 });
    await page.locator("#text").fill(message);
    await page.click("#send");
    await driver.waitForFunction(page, (m) => document.getElementById("log").textContent.includes("echo: " + m), message, 10000);
    // The selected pair is filled in from getStats once connected; give it a moment to land.
    await driver.waitForFunction(page, () => document.getElementById("pair").textContent !== "-", null, 5000).catch(() => {});
    result = { ok: true };
  } catch (e) {
    result = { ok: false, error: String(e && e.message) };
  }
  Object.assign(result, { browser: browserName }, await page.evaluate(() => ({
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
