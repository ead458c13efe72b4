// libdatachannel (C++: libjuice ICE, OpenSSL DTLS, usrsctp SCTP) as a foreign peer for the interop
// tests, through npm node-datachannel and its W3C polyfill. Protocol: see README.md.
// Usage: node libdatachannel-peer.mjs   (LIBDATACHANNEL_LOG=Debug|Verbose|Info|Warning... for its log on stderr)
import { readFileSync } from "node:fs";
import { cleanup, getLibraryVersion, initLogger } from "node-datachannel";
import { RTCPeerConnection as PolyfillPeerConnection } from "node-datachannel/polyfill";
import { emit, log, runProtocol } from "./protocol.mjs";

// node-datachannel's "exports" hide its package.json; read it from beside this script.
const binding = JSON.parse(readFileSync(new URL("./node_modules/node-datachannel/package.json", import.meta.url), "utf8")).version;
const version = `${getLibraryVersion()} (node-datachannel ${binding})`;
const createPeerCore = new Function(readFileSync(new URL("./peer-core.js", import.meta.url), "utf8") + "\nreturn createPeerCore;")();

initLogger(process.env.LIBDATACHANNEL_LOG || "Warning", (level, message) => log(`[libdatachannel ${level}] ${message}`));

// The polyfill's getStats has no data-channel entries, so every channel counts its own messages
// (as werift's do); bytes of a text message are its UTF-8 bytes, as in Chromium.
const counters = new WeakMap();
function sizeOf(data) {
  if (typeof data === "string") return Buffer.byteLength(data, "utf8");
  return data.byteLength ?? data.size ?? 0;
}
function count(dc) {
  if (counters.has(dc)) return dc;
  const c = { messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0 };
  counters.set(dc, c);
  const send = dc.send.bind(dc);
  dc.send = (data) => {
    send(data);
    c.messagesSent++;
    c.bytesSent += sizeOf(data);
  };
  dc.addEventListener("message", (e) => {
    c.messagesReceived++;
    c.bytesReceived += sizeOf(e.data);
  });
  return dc;
}

class RTCPeerConnection extends PolyfillPeerConnection {
  constructor(config) {
    super(config);
    // Runs after the polyfill's own listener (which calls ondatachannel), still before any message.
    this.addEventListener("datachannel", (e) => count(e.channel));
  }

  createDataChannel(label, options) {
    return count(super.createDataChannel(label, options));
  }
}

const core = createPeerCore({
  implementation: "libdatachannel",
  RTCPeerConnection,
  // libjuice gathers no loopback candidate unless bound to one (DESIGN.md "Tests": loopback only).
  // The test's rtcConfiguration is passed to libdatachannel's rtc::Configuration by the polyfill,
  // so libdatachannel's own keys work there too, e.g. { mtu: 1500 }.
  pcConfig: { iceServers: [], bindAddress: "127.0.0.1" },
  emit,
  toBase64: (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString("base64"),
  fromBase64: (s) => Buffer.from(s, "base64"),
  toSendable: (u8) => (u8 instanceof Uint8Array ? u8 : new Uint8Array(u8)),
  bytesOf: (data) => (typeof data === "string" ? null : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
  async dataChannelStats(pc, channels) {
    const pair = pc.selectedCandidatePair();
    const stats = [...(await pc.getStats()).values()];
    const cp = stats.find((s) => s.type === "candidate-pair");
    const candidate = (c) => (c ? { address: c.address, port: c.port, protocol: (c.transportType || "udp").toLowerCase(), candidateType: c.type } : null);
    return {
      dataChannels: channels.map((dc) => {
        const c = counters.get(dc) ?? { messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0 };
        return { label: dc.label, protocol: dc.protocol ?? "", dataChannelIdentifier: dc.id ?? null, state: dc.readyState, ...c };
      }),
      // The polyfill reports a fixed dtlsState and counts open channels as "opened": left out.
      peerConnection: null,
      // Its rtt() is the SCTP round trip in ms; its byte counts are the whole ICE transport's.
      selectedCandidatePair: pair
        ? {
            state: "succeeded",
            nominated: true,
            currentRoundTripTime: typeof cp?.currentRoundTripTime === "number" ? cp.currentRoundTripTime / 1000 : null,
            bytesSent: cp?.bytesSent ?? null,
            bytesReceived: cp?.bytesReceived ?? null,
            local: candidate(pair.local),
            remote: candidate(pair.remote),
          }
        : null,
      transport: null, // libdatachannel does not expose its DTLS role or cipher suite
    };
  },
});

log(`libdatachannel ${version} on node ${process.version}`);
emit({ event: "ready", implementation: "libdatachannel", version, node: process.version });
runProtocol({
  handle: (cmd) => core.handle(cmd),
  driverCommands: {
    async info() { return { implementation: "libdatachannel", version, libdatachannel: getLibraryVersion(), nodeDatachannel: binding, node: process.version }; },
  },
  async shutdown() {
    core.closeAll();
    cleanup();
  },
});
