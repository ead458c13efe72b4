// Opens the BrowserPeer sample's page in headless Chromium or Firefox, waits for its data channel, sends
// one message through the page's form, waits for the echo, then watches the video call (the browser's
// fake camera goes to .NET, .NET's test pattern plays in the page's #remote video) and keeps a screenshot.
// Usage: node browserpeer-page.mjs [--browser chromium|firefox] URL SCREENSHOT_PATH MESSAGE
// Prints one JSON line: { ok, browser, connection, pair, log, video } (and { ok:false, error } on failure);
// video: { width, height, framesBefore, framesAfter, playbackBefore, playbackAfter, inbound, outbound }.
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
  if (result.ok) {
    // The video call: .NET's test pattern plays (frames presented, counted by the page with
    // requestVideoFrameCallback, and the element's playback quality, both rising over a second).
    const sampleVideo = () => page.evaluate(async () => {
      const v = document.getElementById("remote");
      const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : {};
      const stats = {};
      (await pc.getStats()).forEach((s) => {
        if (s.kind !== "video") return;
        if (s.type === "inbound-rtp") stats.inbound = { framesDecoded: s.framesDecoded, frameWidth: s.frameWidth, frameHeight: s.frameHeight, keyFramesDecoded: s.keyFramesDecoded, pliCount: s.pliCount, codecId: s.codecId };
        if (s.type === "outbound-rtp") stats.outbound = { framesEncoded: s.framesEncoded, framesSent: s.framesSent, frameWidth: s.frameWidth, frameHeight: s.frameHeight, pliCount: s.pliCount };
      });
      return { width: v.videoWidth, height: v.videoHeight, frames: remoteFrames, playback: q.totalVideoFrames ?? null, paused: v.paused, ...stats };
    });
    try {
      await driver.waitForFunction(page, () => document.getElementById("remote").videoWidth > 0 && remoteFrames >= 5, null, 20000);
      const before = await sampleVideo();
      await new Promise((r) => setTimeout(r, 1500));
      const after = await sampleVideo();
      result.video = {
        width: after.width, height: after.height, paused: after.paused,
        framesBefore: before.frames, framesAfter: after.frames,
        playbackBefore: before.playback, playbackAfter: after.playback,
        inbound: after.inbound, outbound: after.outbound,
      };
    } catch (e) {
      result = { ok: false, error: "video: " + String(e && e.message), video: await sampleVideo().catch(() => null) };
    }
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
