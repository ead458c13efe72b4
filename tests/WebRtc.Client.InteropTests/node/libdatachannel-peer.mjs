// libdatachannel (C++: libjuice ICE, OpenSSL DTLS, usrsctp SCTP) as a foreign peer for the interop
// tests, through npm node-datachannel and its W3C polyfill. Protocol: see README.md.
// Usage: node libdatachannel-peer.mjs   (LIBDATACHANNEL_LOG=Debug|Verbose|Info|Warning... for its log on stderr)
import { readFileSync } from "node:fs";
import { cleanup, getLibraryVersion, initLogger, PeerConnection } from "node-datachannel";
import { RTCPeerConnection as PolyfillPeerConnection } from "node-datachannel/polyfill";
import { emit, log, runProtocol } from "./protocol.mjs";

// node-datachannel's "exports" hide its package.json; read it from beside this script.
const binding = JSON.parse(readFileSync(new URL("./node_modules/node-datachannel/package.json", import.meta.url), "utf8")).version;
const version = `${getLibraryVersion()} (node-datachannel ${binding})`;
const createPeerCore = new Function(readFileSync(new URL("./peer-core.js", import.meta.url), "utf8") + "\nreturn createPeerCore;")();

initLogger(process.env.LIBDATACHANNEL_LOG || "Warning", (level, message) => log(`[libdatachannel ${level}] ${message}`));

// Where the polyfill is not W3C enough for the shared core, this subclass fixes it up, holding the
// native rtc::PeerConnection itself (the polyfill takes one through `config.peerConnection`):
// - remoteDescription/localDescription are objects even when there is none; null here, so the core
//   queues candidates that come before the remote description (libdatachannel refuses them);
// - a channel's id is read once when it is created, 65535 before the DTLS role assigns one; here it
//   is read from the native channel each time (null while unassigned);
// - a channel the remote opened gets ordered/maxRetransmits/maxPacketLifeTime from an empty init
//   (ordered true, the others null) whatever the DCEP said; node-datachannel does not expose what
//   libdatachannel read, so they are null here: unknown;
// - its getStats has no data-channel entries, so every channel counts its own messages (as
//   werift's do); bytes of a text message are its UTF-8 bytes, as in Chromium.
const counters = new WeakMap();
const sizeOf = (data) => (typeof data === "string" ? Buffer.byteLength(data, "utf8") : data.byteLength ?? data.size ?? 0);

function adopt(dc, native, remote) {
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
  if (native) {
    let id = null; // the last one read: a closed channel's native object is gone
    Object.defineProperty(dc, "id", {
      get: () => {
        try {
          const read = native.getId();
          if (read !== 65535) id = read;
        } catch { /* destroyed */ }
        return id;
      },
    });
  }
  if (remote) {
    for (const key of ["ordered", "maxRetransmits", "maxPacketLifeTime"]) Object.defineProperty(dc, key, { value: null });
  }
  return dc;
}

function iceServerUrls(servers) {
  // What the polyfill does when it makes the native connection itself.
  return (servers ?? []).flatMap((server) => (Array.isArray(server.urls) ? server.urls : [server.urls]).map((url) => {
    if (!server.username || !server.credential) return url;
    const [scheme, rest] = url.split(/:(.*)/);
    return `${scheme}:${server.username}:${server.credential}@${rest}`;
  }));
}

let connections = 0;
class RTCPeerConnection extends PolyfillPeerConnection {
  #native;
  #seen; // the native channel the polyfill made last, and the one the remote opened last

  constructor(config = {}) {
    const native = new PeerConnection(`peer-${++connections}`, { ...config, iceServers: iceServerUrls(config.iceServers) });
    // The native methods are read-only on the prototype; own properties of this instance wrap them
    // (before the polyfill's constructor registers its onDataChannel callback).
    const seen = { created: null, incoming: null };
    const create = native.createDataChannel;
    const onDataChannel = native.onDataChannel;
    Object.defineProperty(native, "createDataChannel", { value: (...args) => (seen.created = create.apply(native, args)) });
    Object.defineProperty(native, "onDataChannel", { value: (cb) => onDataChannel.call(native, (channel) => { seen.incoming = channel; cb(channel); }) });
    super({ ...config, peerConnection: native });
    this.#native = native;
    this.#seen = seen;
  }

  get localDescription() { return this.#native.localDescription() ? super.localDescription : null; }

  get remoteDescription() { return this.#native.remoteDescription() ? super.remoteDescription : null; }

  createDataChannel(label, options) {
    return adopt(super.createDataChannel(label, options), this.#seen.created, false);
  }

  // The polyfill dispatches "datachannel" from the native callback, before any listener runs.
  dispatchEvent(event) {
    if (event.type === "datachannel") adopt(event.channel, this.#seen.incoming, true);
    return super.dispatchEvent(event);
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
    const candidate = (c) => (c ? { address: c.address, port: c.port, protocol: /^tcp/i.test(c.transportType) ? "tcp" : "udp", candidateType: c.type } : null);
    return {
      dataChannels: channels.map((dc) => {
        const c = counters.get(dc) ?? { messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0 };
        return { label: dc.label, protocol: dc.protocol ?? "", dataChannelIdentifier: dc.id ?? null, state: dc.readyState, ...c };
      }),
      // The polyfill reports a fixed dtlsState and counts open channels as "opened": left out.
      peerConnection: null,
      // Its rtt() is the SCTP round trip in ms (-1: none yet); its byte counts are the whole ICE transport's.
      selectedCandidatePair: pair
        ? {
            state: "succeeded",
            nominated: true,
            currentRoundTripTime: cp?.currentRoundTripTime >= 0 ? cp.currentRoundTripTime / 1000 : null,
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
