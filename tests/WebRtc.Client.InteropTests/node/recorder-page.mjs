// Opens the Recorder sample's page in headless Chromium with its fake camera and microphone, lets it
// send for a few seconds once connected, reads what the browser says it sent, keeps a screenshot
// and presses Stop (the recorder then closes its files).
// Usage: node recorder-page.mjs URL SECONDS SCREENSHOT_PATH
// Prints one JSON line: { ok, connection, settings: {width, height, frameRate}, sent: {video, audio} }
// (and { ok:false, error } on failure).
import { launchChromium } from "./chromium-launch.mjs";
import { log } from "./protocol.mjs";

const [url, seconds, screenshotPath] = process.argv.slice(2);
if (!url || !seconds || !screenshotPath) {
  log("usage: node recorder-page.mjs URL SECONDS SCREENSHOT_PATH");
  process.exit(2);
}

const browser = await launchChromium();
let result;
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
  page.on("console", (m) => log(`[page ${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => log(`[page error] ${e.stack || e.message}`));
  await page.goto(url);
  try {
    await page.waitForFunction(() => document.getElementById("connection").textContent === "connected", null, { timeout: 20000 });
    await page.waitForTimeout(Number(seconds) * 1000);
    result = { ok: true };
  } catch (e) {
    result = { ok: false, error: String(e && e.message) };
  }
  // The page's own globals: its peer connection and the camera stream of its preview.
  Object.assign(result, await page.evaluate(async () => {
    const sent = {};
    if (pc) {
      (await pc.getStats()).forEach((s) => {
        if (s.type === "outbound-rtp") {
          sent[s.kind] = s.kind === "video"
            ? { framesEncoded: s.framesEncoded, framesSent: s.framesSent, keyFramesEncoded: s.keyFramesEncoded, frameWidth: s.frameWidth, frameHeight: s.frameHeight, packetsSent: s.packetsSent, pliCount: s.pliCount, nackCount: s.nackCount, qualityLimitationReason: s.qualityLimitationReason }
            : { packetsSent: s.packetsSent, bytesSent: s.bytesSent };
        }
      });
    }
    const video = document.getElementById("preview").srcObject?.getVideoTracks()[0];
    const settings = video ? video.getSettings() : {};
    return {
      connection: pc ? pc.connectionState : "none",
      settings: { width: settings.width, height: settings.height, frameRate: settings.frameRate },
      sent,
    };
  }));
  await page.screenshot({ path: screenshotPath });
  if (await page.$("#stop:not([disabled])")) {
    await page.click("#stop");
  }
  // Let the WebSocket close reach the recorder before the browser goes.
  await page.waitForTimeout(300);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(result.ok ? 0 : 1);
