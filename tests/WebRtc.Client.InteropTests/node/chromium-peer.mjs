// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) as a foreign peer for the
// interop tests: peer-core.js in a page, run by page-peer.mjs (shared with firefox-peer.mjs).
// Protocol: see README.md. Usage: node chromium-peer.mjs   (CHROMIUM_PATH overrides the executable)
import { chromiumArgs as args, executablePath, launchChromium } from "./chromium-launch.mjs";
import { logPage, runPagePeer } from "./page-peer.mjs";
import { emit, log } from "./protocol.mjs";

const browser = await launchChromium();
const version = browser.version();
log(`chromium ${version} (${executablePath})`);

await runPagePeer({
  implementation: "chromium",
  version,
  async newPage() {
    const context = await browser.newContext();
    const page = await context.newPage();
    logPage(page);
    page.on("crash", () => emit({ event: "error", seq: null, cmd: null, name: "PageCrashed", message: "the Chromium page crashed" }));
    return { page, close: () => context.close() };
  },
  async serve(page, url, html) {
    await page.route(url + "**", (r) => r.fulfill({ contentType: "text/html", body: html }));
  },
  info: () => ({ executablePath, args }),
  driverCommands: {
    // The command line Chromium actually runs with, as chrome://version shows it.
    async browserCommandLine() {
      const context = await browser.newContext();
      try {
        const p = await context.newPage();
        await p.goto("chrome://version");
        return { commandLine: (await p.textContent("#command_line")) ?? "" };
      } finally {
        await context.close();
      }
    },
  },
  closeBrowser: () => browser.close(),
});
