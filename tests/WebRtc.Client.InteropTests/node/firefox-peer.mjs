// Headless Firefox ESR (Debian's /usr/bin/firefox-esr, driven by puppeteer-core over WebDriver BiDi) as
// a foreign peer for the interop tests: peer-core.js in a page, run by page-peer.mjs (shared with
// chromium-peer.mjs). Protocol: see README.md. Usage: node firefox-peer.mjs   (FIREFOX_PATH overrides)
import { executablePath, firefoxLaunchConfig, firefoxPrefs, launchFirefox } from "./firefox-launch.mjs";
import { logPage, runPagePeer } from "./page-peer.mjs";
import { log } from "./protocol.mjs";

const browser = await launchFirefox();
// "firefox/153.8.0" from the BiDi session; the version alone, as Chromium's driver reports it.
const version = (await browser.version()).replace(/^firefox\//i, "");
log(`firefox ${version} (${executablePath})`);

await runPagePeer({
  implementation: "firefox",
  version,
  async newPage() {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    logPage(page);
    return { page, close: () => context.close() };
  },
  async serve(page, url, html) {
    await page.setRequestInterception(true);
    page.on("request", (r) => {
      if (r.url().startsWith(url)) r.respond({ status: 200, contentType: "text/html", body: html });
      else r.abort();
    });
  },
  info: () => ({ executablePath, prefs: firefoxPrefs }),
  driverCommands: {
    // What Firefox was started with: its command line and the preferences in its profile.
    async browserCommandLine() {
      return firefoxLaunchConfig(browser);
    },
  },
  closeBrowser: () => browser.close(),
});
