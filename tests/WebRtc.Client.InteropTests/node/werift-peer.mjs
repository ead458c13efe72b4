// werift (a TypeScript WebRTC stack) as a foreign peer for the interop tests.
// Protocol: see README.md. Usage: node werift-peer.mjs
import { readFileSync } from "node:fs";
import { RTCPeerConnection } from "werift";
import { emit, log, runProtocol } from "./protocol.mjs";

// werift's "exports" hide its package.json; read it from beside this script.
const version = JSON.parse(readFileSync(new URL("./node_modules/werift/package.json", import.meta.url), "utf8")).version;
const createPeerCore = new Function(readFileSync(new URL("./peer-core.js", import.meta.url), "utf8") + "\nreturn createPeerCore;")();

const core = createPeerCore({
  implementation: "werift",
  RTCPeerConnection,
  // werift gathers on the machine's interfaces only, never on loopback, unless told (DESIGN.md "Tests").
  // Its default max-message-size is 65536; the tests send 256 KiB messages, as to Chromium (262144).
  // Its default iceServers is stun.l.google.com: no traffic leaves loopback in these tests, so none.
  pcConfig: { iceServers: [], iceAdditionalHostAddresses: ["127.0.0.1"], iceUseIpv6: false, maxMessageSize: 262144 },
  emit,
  toBase64: (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString("base64"),
  fromBase64: (s) => Buffer.from(s, "base64"),
  toSendable: (u8) => (Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength)),
  bytesOf: (data) => (typeof data === "string" ? null : Buffer.isBuffer(data) ? data : Buffer.from(data)),
  async dataChannelStats(pc, channels) {
    // werift's getStats has no data-channel entries; its channels count messages themselves.
    return {
      dataChannels: channels.map((dc) => ({
        label: dc.label,
        protocol: dc.protocol ?? "",
        dataChannelIdentifier: dc.id ?? null,
        state: dc.readyState,
        messagesSent: dc.messagesSent,
        bytesSent: dc.bytesSent,
        messagesReceived: dc.messagesReceived,
        bytesReceived: dc.bytesReceived,
      })),
      peerConnection: null,
      selectedCandidatePair: null,
      transport: null,
    };
  },
});

log(`werift ${version} on node ${process.version}`);
emit({ event: "ready", implementation: "werift", version, node: process.version });
runProtocol({
  handle: (cmd) => core.handle(cmd),
  driverCommands: {
    async info() { return { implementation: "werift", version, node: process.version }; },
  },
  async shutdown() { core.closeAll(); },
});
