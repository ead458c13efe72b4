// What every browser peer has in common: peer-core.js runs inside a page of a routed, never-fetched
// https URL; commands go in with page.evaluate, events come out of a queue in the page. A driver
// (chromium-peer.mjs, firefox-peer.mjs) only launches its browser and opens pages; playwright-core's
// and puppeteer-core's Page share the few methods used here (goto, evaluate with one argument,
// on("console"/"pageerror")).
//
// Events are not pushed through page.exposeFunction: over WebDriver BiDi puppeteer spends about five
// protocol round trips on each call and handles calls concurrently, so events came late and out of
// order. Instead one long-poll evaluate at a time takes whatever the page queued, in order, and each
// command's result brings the events queued before it, so they are emitted before the result.
import { readFileSync } from "node:fs";
import { emit, log, runProtocol } from "./protocol.mjs";

const coreSource = readFileSync(new URL("./peer-core.js", import.meta.url), "utf8");

// A secure origin served by the driver's interception, never fetched: on about:blank Chromium gathers
// no host candidates at all, and navigator.mediaDevices needs a secure context.
export const pageUrl = "https://interop-peer.test/";
export const pageHtml = "<!doctype html><title>interop peer</title>";

export function logPage(page) {
  page.on("console", (m) => log(`[page ${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => log(`[page error] ${e.stack || e.message}`));
}

// Runs in the page: builds the peer core with the browser's own RTCPeerConnection.
function installCore({ src, implementation }) {
  // eslint-disable-next-line no-new-func
  const createPeerCore = new Function(src + "\nreturn createPeerCore;")();
  const toBase64 = (u8) => {
    if (typeof u8.toBase64 === "function") return u8.toBase64();
    let s = "";
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const fromBase64 = (b64) => {
    if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(b64);
    const s = atob(b64);
    const u8 = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
    return u8;
  };
  const pick = (o, keys) => Object.fromEntries(keys.filter((k) => o && o[k] !== undefined).map((k) => [k, o[k]]));
  const candidateKeys = ["address", "port", "protocol", "candidateType", "relayProtocol", "networkType", "priority", "tcpType"];
  // Events wait here, as JSON text, until the driver takes them.
  let queued = [];
  let wake = null;
  const take = () => {
    const batch = queued;
    queued = [];
    return batch;
  };
  window.__interopTakeEvents = take;
  window.__interopNextEvents = () => (queued.length ? Promise.resolve(take()) : new Promise((resolve) => { wake = () => resolve(take()); }));
  window.__interopCore = createPeerCore({
    implementation,
    RTCPeerConnection: window.RTCPeerConnection,
    pcConfig: {},
    emit: (ev) => {
      queued.push(JSON.stringify(ev));
      if (wake) {
        const w = wake;
        wake = null;
        w();
      }
    },
    toBase64,
    fromBase64,
    toSendable: (u8) => u8,
    media: {
      getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
      RTCRtpReceiver: window.RTCRtpReceiver,
      // A remote track plays in its own autoplaying element, as a web page would show it: Chromium
      // renders (and counts freezes of) video and plays out audio for those. Audio is not muted:
      // Chromium applies the element's volume before it measures the level, so a muted element
      // reports audioLevel and totalAudioEnergy 0 (autoplay with sound needs
      // --autoplay-policy=no-user-gesture-required, chromium-launch.mjs).
      attach(track) {
        const el = document.createElement(track.kind === "video" ? "video" : "audio");
        el.id = `remote-${track.kind}-${document.querySelectorAll(track.kind).length}`;
        el.autoplay = true;
        el.muted = track.kind === "video";
        el.playsInline = true;
        if (track.kind === "video") { el.width = 640; el.height = 480; }
        el.srcObject = new MediaStream([track]);
        document.body.appendChild(el);
        el.play().catch((e) => console.warn(`play() of ${el.id}: ${e.name}: ${e.message}`));
        return el.id;
      },
      detachAll() {
        for (const el of document.querySelectorAll("video, audio")) { el.srcObject = null; el.remove(); }
      },
    },
    bytesOf: (data) => (typeof data === "string" ? null : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
    async dataChannelStats(pc) {
      const report = await pc.getStats();
      const raw = [];
      report.forEach((s) => raw.push(s));
      const byId = new Map(raw.map((s) => [s.id, s]));
      const transport = raw.find((s) => s.type === "transport") ?? null;
      const pairStats = transport && transport.selectedCandidatePairId ? byId.get(transport.selectedCandidatePairId) : raw.find((s) => s.type === "candidate-pair" && s.nominated && s.state === "succeeded");
      return {
        dataChannels: raw.filter((s) => s.type === "data-channel").map((s) => pick(s, ["label", "protocol", "dataChannelIdentifier", "state", "messagesSent", "bytesSent", "messagesReceived", "bytesReceived"])),
        peerConnection: pick(raw.find((s) => s.type === "peer-connection"), ["dataChannelsOpened", "dataChannelsClosed"]),
        selectedCandidatePair: pairStats ? {
          state: pairStats.state,
          nominated: pairStats.nominated,
          currentRoundTripTime: pairStats.currentRoundTripTime,
          bytesSent: pairStats.bytesSent,
          bytesReceived: pairStats.bytesReceived,
          local: pick(byId.get(pairStats.localCandidateId), candidateKeys),
          remote: pick(byId.get(pairStats.remoteCandidateId), candidateKeys),
        } : null,
        transport: transport ? pick(transport, ["dtlsState", "dtlsRole", "iceRole", "iceState", "tlsVersion", "dtlsCipher", "srtpCipher", "selectedCandidatePairChanges", "packetsSent", "packetsReceived", "bytesSent", "bytesReceived"]) : null,
        raw,
      };
    },
  });
}

// Runs in the page: waits for the video element to have frames, draws the current one into a canvas
// and reads `points` pixels evenly spaced along its middle row.
async function sampleVideo({ element, timeoutMs, points }) {
  const started = Date.now();
  let el = null;
  for (;;) {
    el = element ? document.getElementById(element) : document.querySelector("video");
    if (el && el.videoWidth > 0 && el.readyState >= 2) break;
    if (Date.now() - started > timeoutMs) {
      throw new Error(el ? `video ${el.id} shows no frame after ${timeoutMs} ms (readyState ${el.readyState}, ${el.videoWidth}x${el.videoHeight}, paused ${el.paused})` : "no remote video element");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const w = el.videoWidth, h = el.videoHeight;
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(el, 0, 0, w, h);
  const y = Math.floor(h / 2);
  const samples = [];
  for (let i = 0; i < points; i++) {
    const x = Math.floor((i + 0.5) * w / points);
    const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
    samples.push({ x, y, r, g, b });
  }
  const avg = (k) => samples.reduce((a, s) => a + s[k], 0) / samples.length;
  return {
    element: el.id,
    videoWidth: w,
    videoHeight: h,
    currentTime: el.currentTime,
    paused: el.paused,
    samples,
    average: { r: avg("r"), g: avg("g"), b: avg("b") },
  };
}

/**
 * Runs the protocol (README.md) for one browser.
 * @param {{
 *   implementation: string,
 *   version: string,
 *   newPage(): Promise<{ page, close(): Promise<void> }>,   // a fresh page (own context), logged
 *   serve(page, url, html): Promise<void>,                   // answers requests for url with html
 *   info(): object,                                          // fields of the `info` result
 *   driverCommands?: Record<string, (cmd) => Promise<object>>,
 *   closeBrowser(): Promise<void>,
 * }} driver
 */
export async function runPagePeer(driver) {
  let current = null;

  async function openPage() {
    const opened = await driver.newPage();
    const { page } = opened;
    await driver.serve(page, pageUrl, pageHtml);
    await page.goto(pageUrl);
    await page.evaluate(installCore, { src: coreSource, implementation: driver.implementation });
    current = opened;
    pumpEvents(opened);
  }

  // Until its page closes: wait for the page's next events and emit them.
  async function pumpEvents(opened) {
    while (current === opened) {
      let batch;
      try {
        batch = await opened.page.evaluate(() => window.__interopNextEvents());
      } catch (e) {
        if (current === opened) log("event pump stopped:", e && e.message);
        return;
      }
      for (const json of batch) emit(JSON.parse(json));
    }
  }

  async function closePage() {
    if (!current) return;
    const closing = current;
    current = null;
    try { await closing.page.evaluate(() => window.__interopCore.closeAll()); } catch { /* page gone */ }
    await closing.close().catch(() => {});
  }

  const userAgent = () => current.page.evaluate(() => navigator.userAgent);

  await openPage();
  emit({ event: "ready", implementation: driver.implementation, version: driver.version, userAgent: await userAgent() });

  runProtocol({
    async handle(cmd) {
      const r = await current.page.evaluate(async (c) => {
        const reply = await window.__interopCore.handleSafe(c);
        return { ...reply, events: window.__interopTakeEvents() };
      }, cmd);
      for (const json of r.events) emit(JSON.parse(json));
      if (r.error) throw Object.assign(new Error(r.error.message), { name: r.error.name });
      return r.result;
    },
    driverCommands: {
      async info() {
        return { implementation: driver.implementation, version: driver.version, ...driver.info(), userAgent: await userAgent() };
      },
      // A fresh page (and so a fresh RTCPeerConnection) in the same browser: cheaper than a new launch.
      async reset() {
        await closePage();
        await openPage();
        return {};
      },
      // getUserMedia in the page, tracks stopped at once: what a media test would get, with no prompt.
      async probeUserMedia(cmd) {
        return current.page.evaluate(async (constraints) => {
          const stream = await navigator.mediaDevices.getUserMedia(constraints);
          const tracks = stream.getTracks().map((t) => ({ kind: t.kind, label: t.label, readyState: t.readyState }));
          stream.getTracks().forEach((t) => t.stop());
          return { tracks };
        }, cmd.constraints ?? { audio: true, video: true });
      },
      // The remote <video> (by `element` id, else the first): waits until it shows frames, samples a
      // row of points through a canvas, and saves a screenshot of the element to `path`.
      async screenshotVideo(cmd) {
        const sampled = await current.page.evaluate(sampleVideo, { element: cmd.element ?? null, timeoutMs: cmd.timeoutMs ?? 10000, points: cmd.points ?? 16 });
        if (cmd.path) {
          const handle = await current.page.$("#" + sampled.element);
          await handle.screenshot({ path: cmd.path });
        }
        return { ...sampled, path: cmd.path ?? null };
      },
      ...(driver.driverCommands ?? {}),
    },
    async shutdown() {
      await closePage();
      await driver.closeBrowser();
    },
  });
}
