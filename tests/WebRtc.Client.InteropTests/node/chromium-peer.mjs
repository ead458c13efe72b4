// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) as a foreign peer for the
// interop tests. The RTCPeerConnection lives in an empty page; peer-core.js runs there and talks to
// this process through page.exposeFunction (events) and page.evaluate (commands).
// Protocol: see README.md. Usage: node chromium-peer.mjs   (CHROMIUM_PATH overrides the executable)
import { readFileSync } from "node:fs";
import { chromiumArgs as args, executablePath, launchChromium } from "./chromium-launch.mjs";
import { emit, log, runProtocol } from "./protocol.mjs";

const coreSource = readFileSync(new URL("./peer-core.js", import.meta.url), "utf8");
const browser = await launchChromium();
const version = browser.version();
log(`chromium ${version} (${executablePath})`);

const pageUrl = "https://interop-peer.test/";
let context = null;
let page = null;

async function openPage() {
  context = await browser.newContext();
  page = await context.newPage();
  page.on("console", (m) => log(`[page ${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => log(`[page error] ${e.stack || e.message}`));
  page.on("crash", () => emit({ event: "error", seq: null, cmd: null, name: "PageCrashed", message: "the Chromium page crashed" }));
  await page.exposeFunction("__interopEmit", (json) => emit(JSON.parse(json)));
  // A secure origin served by the route below, never fetched: on about:blank Chromium gathers no
  // host candidates at all, and navigator.mediaDevices needs a secure context.
  await page.route(pageUrl + "**", (r) => r.fulfill({ contentType: "text/html", body: "<!doctype html><title>interop peer</title>" }));
  await page.goto(pageUrl);
  await page.evaluate((src) => {
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
    window.__interopCore = createPeerCore({
      implementation: "chromium",
      RTCPeerConnection: window.RTCPeerConnection,
      pcConfig: {},
      emit: (ev) => window.__interopEmit(JSON.stringify(ev)),
      toBase64,
      fromBase64,
      toSendable: (u8) => u8,
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
  }, coreSource);
}

async function closePage() {
  if (page) {
    try { await page.evaluate(() => window.__interopCore.closeAll()); } catch { /* page gone */ }
  }
  if (context) await context.close().catch(() => {});
  context = null;
  page = null;
}

await openPage();
emit({ event: "ready", implementation: "chromium", version, userAgent: await page.evaluate(() => navigator.userAgent) });

runProtocol({
  async handle(cmd) {
    const r = await page.evaluate((c) => window.__interopCore.handleSafe(c), cmd);
    if (r.error) throw Object.assign(new Error(r.error.message), { name: r.error.name });
    return r.result;
  },
  driverCommands: {
    async info() {
      return { implementation: "chromium", version, executablePath, args, userAgent: await page.evaluate(() => navigator.userAgent) };
    },
    // A fresh page (and so a fresh RTCPeerConnection) in the same browser: cheaper than a new launch.
    async reset() {
      await closePage();
      await openPage();
      return {};
    },
    // The command line Chromium actually runs with, as chrome://version shows it.
    async browserCommandLine() {
      const p = await context.newPage();
      try {
        await p.goto("chrome://version");
        return { commandLine: (await p.textContent("#command_line")) ?? "" };
      } finally {
        await p.close();
      }
    },
  },
  async shutdown() {
    await closePage();
    await browser.close();
  },
});
