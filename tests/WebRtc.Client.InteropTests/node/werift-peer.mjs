// werift (a TypeScript WebRTC stack) as a foreign peer for the interop tests.
// Protocol: see README.md. Usage: node werift-peer.mjs
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { RTCPeerConnection } from "werift";
import { emit, log, runProtocol } from "./protocol.mjs";

// werift's "exports" hide its package.json; read it from beside this script.
const version = JSON.parse(readFileSync(new URL("./node_modules/werift/package.json", import.meta.url), "utf8")).version;
const createPeerCore = new Function(readFileSync(new URL("./peer-core.js", import.meta.url), "utf8") + "\nreturn createPeerCore;")();

// A STUN server on loopback that answers every Binding request with 400 (RFC 8489 §14.8).
const refusingStun = createSocket("udp4");
refusingStun.on("message", (request, from) => {
  if (request.length < 20 || request.readUInt16BE(0) !== 0x0001) return;
  const reason = Buffer.from("no STUN here");
  const errorCode = Buffer.alloc(8 + reason.length);
  errorCode.writeUInt16BE(0x0009, 0); // ERROR-CODE
  errorCode.writeUInt16BE(4 + reason.length, 2);
  errorCode.writeUInt8(4, 6); // class 4, number 0: 400
  reason.copy(errorCode, 8);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(0x0111, 0); // Binding error response
  header.writeUInt16BE(errorCode.length, 2);
  request.copy(header, 4, 4, 20); // magic cookie and transaction id
  refusingStun.send(Buffer.concat([header, errorCode]), from.port, from.address);
});
await new Promise((resolve) => refusingStun.bind(0, "127.0.0.1", resolve));
refusingStun.unref();
const refusingStunPort = refusingStun.address().port;

const core = createPeerCore({
  implementation: "werift",
  RTCPeerConnection,
  // werift gathers on the machine's interfaces only, never on loopback, unless told (DESIGN.md "Tests").
  // Its default max-message-size is 65536; the tests send 256 KiB messages, as to Chromium (262144).
  // With no STUN server werift falls back to stun.l.google.com; traffic in these tests stays on
  // loopback, so it gets ours, which refuses at once (no srflx candidate, no wait).
  pcConfig: { iceServers: [{ urls: `stun:127.0.0.1:${refusingStunPort}` }], iceAdditionalHostAddresses: ["127.0.0.1"], iceUseIpv6: false, maxMessageSize: 262144 },
  emit,
  // werift forwards a received track's RTP through a sender (its "sendrecv" echo example): what it does with media.
  echoTrack(e) {
    e.transceiver.direction = "sendrecv";
    e.transceiver.sender.replaceTrack(e.track);
  },
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
