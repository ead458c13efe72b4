// One W3C-shaped RTCPeerConnection driven by the line-oriented JSON protocol of the interop tests
// (see README.md beside this file). The same source runs inside the Chromium page (chromium-peer.mjs
// injects it) and under node with werift (werift-peer.mjs loads it with `new Function`), so both
// foreign peers behave identically. It is a plain script: it only defines `createPeerCore`.
//
// env = {
//   implementation: "chromium" | "werift",
//   RTCPeerConnection,            // constructor
//   pcConfig: {},                 // merged under the test's rtcConfiguration (werift: loopback options)
//   emit(event),                  // sends one event object to the test
//   toBase64(Uint8Array), fromBase64(string) -> Uint8Array,
//   toSendable(Uint8Array),       // what dc.send takes for binary
//   bytesOf(data) -> Uint8Array | null,   // null when data is a string
//   dataChannelStats(pc, channels) -> Promise<{ dataChannels, ... }>,
//   echoTrack(event) | undefined, // sends a remote track straight back on its transceiver (werift); see `echoMedia`
//   media: null | {              // browsers only; null makes the media commands answer NotSupportedError
//     getUserMedia(constraints) -> Promise<MediaStream>,
//     attach(track, streams) -> element id,   // a <video>/<audio> element in the page playing the remote track
//     RTCRtpReceiver,             // for getCapabilities
//   },
// }
function createPeerCore(env) {
  "use strict";
  const settings = { trickle: true, echo: false, emitMessageData: true, rtcConfiguration: {} };
  let pc = null;
  let channels = [];           // every channel of this pc, in creation order
  const byLabel = new Map();   // label -> latest channel with that label
  let pendingCandidates = [];  // remote candidates that came before the remote description
  let localStreams = [];       // what addUserMedia captured (stopped by closeAll)
  let remoteTracks = [];       // { track, mid, element } in arrival order

  function requireMedia(what) {
    if (!env.media) throw Object.assign(new Error(`${what}: media is not supported by ${env.implementation} in this harness`), { name: "NotSupportedError" });
    return env.media;
  }

  // Transceivers a command means: by mid, else every one of a kind.
  function transceiversFor(cmd) {
    const all = pc.getTransceivers();
    const found = cmd.mid !== undefined && cmd.mid !== null ? all.filter((t) => t.mid === cmd.mid) : all.filter((t) => (t.receiver.track && t.receiver.track.kind) === cmd.kind);
    if (!found.length) throw new Error(`no transceiver for ${cmd.mid !== undefined && cmd.mid !== null ? "mid " + cmd.mid : "kind " + cmd.kind}`);
    return found;
  }

  // The stats of inbound-rtp/outbound-rtp with their codec's mimeType (pc.getStats()).
  async function mediaStats() {
    const report = await pc.getStats();
    const all = [];
    report.forEach((s) => all.push(s));
    const byId = new Map(all.map((s) => [s.id, s]));
    const pick = (o, keys) => Object.fromEntries(keys.filter((k) => o && o[k] !== undefined).map((k) => [k, o[k]]));
    const codecOf = (s) => {
      const c = s.codecId ? byId.get(s.codecId) : null;
      return c ? { mimeType: c.mimeType, payloadType: c.payloadType, clockRate: c.clockRate, channels: c.channels, sdpFmtpLine: c.sdpFmtpLine } : null;
    };
    const inbound = all.filter((s) => s.type === "inbound-rtp").map((s) => ({
      ...pick(s, ["kind", "mid", "ssrc", "trackIdentifier", "packetsReceived", "packetsLost", "bytesReceived", "jitter", "nackCount", "pliCount", "firCount",
        "framesDecoded", "keyFramesDecoded", "framesReceived", "framesDropped", "frameWidth", "frameHeight", "framesPerSecond", "freezeCount", "totalFreezesDuration",
        "pauseCount", "totalPausesDuration", "totalAudioEnergy", "audioLevel", "totalSamplesReceived", "concealedSamples", "totalSamplesDuration",
        "retransmittedPacketsReceived", "retransmittedBytesReceived", "rtxSsrc", "decoderImplementation", "jitterBufferDelay", "jitterBufferEmittedCount"]),
      codec: codecOf(s),
    }));
    const outbound = all.filter((s) => s.type === "outbound-rtp").map((s) => ({
      ...pick(s, ["kind", "mid", "ssrc", "rtxSsrc", "packetsSent", "bytesSent", "nackCount", "pliCount", "firCount", "framesEncoded", "keyFramesEncoded",
        "framesSent", "frameWidth", "frameHeight", "framesPerSecond", "retransmittedPacketsSent", "retransmittedBytesSent", "encoderImplementation",
        "qualityLimitationReason", "targetBitrate", "active"]),
      codec: codecOf(s),
    }));
    const remoteInbound = all.filter((s) => s.type === "remote-inbound-rtp").map((s) => pick(s, ["kind", "ssrc", "packetsLost", "fractionLost", "jitter", "roundTripTime"]));
    const mediaSource = all.filter((s) => s.type === "media-source").map((s) => pick(s, ["kind", "trackIdentifier", "width", "height", "frames", "framesPerSecond", "audioLevel", "totalAudioEnergy"]));
    return { inbound, outbound, remoteInbound, mediaSource };
  }

  function channelProps(dc) {
    return {
      label: dc.label,
      id: dc.id ?? null,
      ordered: dc.ordered,
      maxRetransmits: dc.maxRetransmits ?? null,
      maxPacketLifeTime: dc.maxPacketLifeTime ?? null,
      protocol: dc.protocol ?? "",
      negotiated: !!dc.negotiated,
      readyState: dc.readyState,
    };
  }

  function findChannel(cmd) {
    let dc;
    if (cmd.channelId !== undefined && cmd.channelId !== null) {
      dc = channels.filter((c) => c.id === cmd.channelId).pop();
    } else {
      dc = byLabel.get(cmd.label);
    }
    if (!dc) throw new Error(`no data channel with ${cmd.channelId !== undefined ? "id " + cmd.channelId : "label '" + cmd.label + "'"}`);
    return dc;
  }

  function sendOn(dc, data, binary) {
    dc.send(binary ? env.toSendable(env.fromBase64(data)) : data);
  }

  function wire(dc) {
    channels.push(dc);
    byLabel.set(dc.label, dc);
    try { dc.binaryType = "arraybuffer"; } catch { /* werift has no binaryType */ }
    let opened = false;
    const onOpen = () => {
      if (opened) return;
      opened = true;
      env.emit({ event: "open", label: dc.label, id: dc.id ?? null });
    };
    dc.onopen = onOpen;
    dc.onclosing = () => env.emit({ event: "closing", label: dc.label, id: dc.id ?? null });
    dc.onclose = () => env.emit({ event: "close", label: dc.label, id: dc.id ?? null });
    dc.onerror = (e) => {
      const err = e && (e.error || e);
      env.emit({ event: "error", label: dc.label, id: dc.id ?? null, name: err && err.name, message: String((err && err.message) || err) });
    };
    dc.onmessage = (e) => {
      const bytes = env.bytesOf(e.data);
      const binary = bytes !== null;
      const size = binary ? bytes.length : e.data.length;
      const ev = { event: "message", label: dc.label, id: dc.id ?? null, binary, size };
      if (settings.emitMessageData) ev.data = binary ? env.toBase64(bytes) : e.data;
      if (settings.echo) {
        try {
          dc.send(binary ? env.toSendable(bytes) : e.data);
        } catch (err) {
          env.emit({ event: "error", label: dc.label, id: dc.id ?? null, name: err.name, message: "echo failed: " + err.message });
        }
      }
      env.emit(ev);
    };
    return onOpen;
  }

  function ensurePc() {
    if (pc) return pc;
    // Handlers use their own connection (`p`), not `pc`: events of a connection that reset dropped may still come.
    const p = new env.RTCPeerConnection({ ...env.pcConfig, ...settings.rtcConfiguration });
    pc = p;
    p.onicecandidate = (e) => {
      if (!settings.trickle) return;
      const c = e && e.candidate;
      if (!c || !c.candidate) {
        env.emit({ event: "icecandidate", candidate: null, sdpMid: null, sdpMLineIndex: null, usernameFragment: null });
      } else {
        env.emit({ event: "icecandidate", candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null, usernameFragment: c.usernameFragment ?? null });
      }
    };
    p.onicegatheringstatechange = () => env.emit({ event: "icegatheringstatechange", state: p.iceGatheringState });
    p.oniceconnectionstatechange = () => env.emit({ event: "iceconnectionstatechange", state: p.iceConnectionState });
    p.onconnectionstatechange = () => env.emit({ event: "connectionstatechange", state: p.connectionState });
    p.onsignalingstatechange = () => env.emit({ event: "signalingstatechange", state: p.signalingState });
    p.ontrack = (e) => {
      const track = e.track;
      const streams = e.streams || [];
      const mid = e.transceiver ? e.transceiver.mid : null;
      let element = null;
      if (env.media) {
        try {
          element = env.media.attach(track, streams);
        } catch (err) {
          env.emit({ event: "error", seq: null, cmd: null, name: err.name, message: "attaching the remote track: " + err.message });
        }
      }
      if (settings.echoMedia && env.echoTrack) {
        try {
          env.echoTrack(e);
        } catch (err) {
          env.emit({ event: "error", seq: null, cmd: null, name: err.name, message: "echoing the remote track: " + err.message });
        }
      }
      remoteTracks.push({ track, mid, element });
      env.emit({ event: "track", kind: track.kind, trackId: track.id, mid, streamIds: streams.map((s) => s.id), element });
    };
    p.ondatachannel = (e) => {
      const dc = e.channel;
      const onOpen = wire(dc);
      env.emit({ event: "datachannel", ...channelProps(dc) });
      if (dc.readyState === "open") onOpen();
    };
    return pc;
  }

  function waitForGatheringComplete(timeoutMs) {
    return new Promise((resolve, reject) => {
      if (pc.iceGatheringState === "complete") return resolve();
      const started = Date.now();
      const poll = () => {
        if (pc.iceGatheringState === "complete") return resolve();
        if (Date.now() - started > timeoutMs) return reject(new Error(`ICE gathering not complete after ${timeoutMs} ms`));
        setTimeout(poll, 10);
      };
      poll();
    });
  }

  async function localDescriptionResult(timeoutMs) {
    if (!settings.trickle) await waitForGatheringComplete(timeoutMs ?? 10000);
    const d = pc.localDescription;
    return { type: d.type, sdp: d.sdp };
  }

  function closeAll() {
    for (const dc of channels) { try { dc.close(); } catch { /* already closed */ } }
    if (pc) { try { pc.close(); } catch { /* already closed */ } }
    pc = null;
    channels = [];
    byLabel.clear();
    pendingCandidates = [];
    for (const stream of localStreams) for (const t of stream.getTracks()) { try { t.stop(); } catch { /* stopped */ } }
    localStreams = [];
    remoteTracks = [];
    if (env.media && env.media.detachAll) env.media.detachAll();
  }

  const commands = {
    config(cmd) {
      for (const key of ["trickle", "echo", "emitMessageData"]) {
        if (cmd[key] !== undefined) settings[key] = !!cmd[key];
      }
      if (cmd.rtcConfiguration !== undefined) {
        if (pc) throw new Error("rtcConfiguration must be set before the peer connection exists (send reset first)");
        settings.rtcConfiguration = cmd.rtcConfiguration || {};
      }
      return { trickle: settings.trickle, echo: settings.echo, emitMessageData: settings.emitMessageData };
    },
    async createOffer(cmd) {
      ensurePc();
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      return localDescriptionResult(cmd.timeoutMs);
    },
    async createAnswer(cmd) {
      ensurePc();
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      return localDescriptionResult(cmd.timeoutMs);
    },
    async setRemote(cmd) {
      ensurePc();
      await pc.setRemoteDescription({ type: cmd.type, sdp: cmd.sdp });
      // Candidates the test trickled before this description are applied now, in order.
      const queued = pendingCandidates;
      pendingCandidates = [];
      for (const c of queued) {
        try {
          await commands.addIceCandidate(c);
        } catch (err) {
          env.emit({ event: "error", seq: c.seq ?? null, cmd: "addIceCandidate", name: err.name, message: "queued candidate: " + err.message });
        }
      }
      return { signalingState: pc.signalingState, appliedQueuedCandidates: queued.length };
    },
    async addIceCandidate(cmd) {
      ensurePc();
      if (!pc.remoteDescription) {
        pendingCandidates.push(cmd);
        return { queued: true };
      }
      if (cmd.candidate === null || cmd.candidate === undefined || cmd.candidate === "") {
        // End of candidates.
        if (env.implementation === "werift") return { endOfCandidates: true };
        await pc.addIceCandidate({ candidate: "", sdpMid: cmd.sdpMid ?? null, sdpMLineIndex: cmd.sdpMLineIndex ?? null });
        return { endOfCandidates: true };
      }
      const init = { candidate: cmd.candidate, sdpMid: cmd.sdpMid ?? undefined, sdpMLineIndex: cmd.sdpMLineIndex ?? undefined };
      if (cmd.usernameFragment) init.usernameFragment = cmd.usernameFragment;
      if (init.sdpMid === undefined && init.sdpMLineIndex === undefined) init.sdpMLineIndex = 0;
      await pc.addIceCandidate(init);
      return {};
    },
    createDataChannel(cmd) {
      ensurePc();
      const dc = pc.createDataChannel(cmd.label, cmd.options || {});
      const onOpen = wire(dc);
      if (dc.readyState === "open") queueMicrotask(onOpen);
      return channelProps(dc);
    },
    send(cmd) {
      const dc = findChannel(cmd);
      const count = cmd.count ?? 1;
      // numbered (text only): message i is data followed by i, so order and loss can be checked.
      for (let i = 0; i < count; i++) sendOn(dc, cmd.numbered && !cmd.binary ? cmd.data + i : cmd.data, !!cmd.binary);
      return { bufferedAmount: dc.bufferedAmount };
    },
    close(cmd) {
      const dc = findChannel(cmd);
      dc.close();
      return { readyState: dc.readyState };
    },
    closePc() {
      if (pc) pc.close();
      return { connectionState: pc ? pc.connectionState : "closed" };
    },
    reset() {
      closeAll();
      settings.rtcConfiguration = {};
      return {};
    },
    state() {
      return {
        connectionState: pc ? pc.connectionState : null,
        iceConnectionState: pc ? pc.iceConnectionState : null,
        iceGatheringState: pc ? pc.iceGatheringState : null,
        signalingState: pc ? pc.signalingState : null,
        localDescription: pc && pc.localDescription ? { type: pc.localDescription.type, sdp: pc.localDescription.sdp } : null,
        remoteDescription: pc && pc.remoteDescription ? { type: pc.remoteDescription.type, sdp: pc.remoteDescription.sdp } : null,
        channels: channels.map((dc) => ({ ...channelProps(dc), bufferedAmount: dc.bufferedAmount })),
      };
    },
    async getStats() {
      if (!pc) throw new Error("no peer connection");
      return env.dataChannelStats(pc, channels);
    },
    // getUserMedia (the fake devices) and addTrack of every track, all in one stream.
    async addUserMedia(cmd) {
      const media = requireMedia("addUserMedia");
      ensurePc();
      const video = cmd.video === false ? false : {
        ...(cmd.width ? { width: { exact: cmd.width } } : {}),
        ...(cmd.height ? { height: { exact: cmd.height } } : {}),
        ...(cmd.frameRate ? { frameRate: { ideal: cmd.frameRate } } : {}),
      };
      const constraints = { audio: cmd.audio !== false, video: cmd.video === false ? false : (Object.keys(video).length ? video : true) };
      const stream = await media.getUserMedia(constraints);
      localStreams.push(stream);
      const tracks = [];
      for (const track of stream.getTracks()) {
        const sender = pc.addTrack(track, stream);
        const t = pc.getTransceivers().find((x) => x.sender === sender);
        tracks.push({ kind: track.kind, id: track.id, label: track.label, settings: track.getSettings(), mid: t ? t.mid : null });
      }
      return { streamId: stream.id, tracks };
    },
    // Every remote track from now on is sent straight back on its own transceiver (RTP forwarded, not decoded).
    echoMedia() {
      if (!env.echoTrack) throw Object.assign(new Error(`echoMedia: not supported by ${env.implementation} in this harness`), { name: "NotSupportedError" });
      settings.echoMedia = true;
      return { echoMedia: true };
    },
    addTransceiver(cmd) {
      ensurePc();
      if (typeof pc.addTransceiver !== "function") throw Object.assign(new Error(`addTransceiver: ${env.implementation} has none`), { name: "NotSupportedError" });
      const t = pc.addTransceiver(cmd.kind, { direction: cmd.direction || "sendrecv" });
      return { mid: t.mid, direction: t.direction, index: pc.getTransceivers().indexOf(t) };
    },
    // Codecs of `mimeTypes` (in that order; `sdpFmtpLine` keeps only those whose fmtp contains it), each
    // followed by the rtx entries: RTCRtpReceiver.getCapabilities(kind) order otherwise.
    setCodecPreferences(cmd) {
      const media = requireMedia("setCodecPreferences");
      ensurePc();
      const caps = media.RTCRtpReceiver.getCapabilities(cmd.kind);
      const wanted = (cmd.mimeTypes || [cmd.mimeType]).map((m) => m.toLowerCase());
      const chosen = [];
      for (const mime of wanted) {
        chosen.push(...caps.codecs.filter((c) => c.mimeType.toLowerCase() === mime && (!cmd.sdpFmtpLine || (c.sdpFmtpLine || "").includes(cmd.sdpFmtpLine))));
      }
      if (!chosen.length) throw new Error(`no ${cmd.kind} capability matches ${wanted.join(", ")}${cmd.sdpFmtpLine ? " with " + cmd.sdpFmtpLine : ""}`);
      if (cmd.kind === "video" && cmd.rtx !== false) chosen.push(...caps.codecs.filter((c) => c.mimeType.toLowerCase() === "video/rtx"));
      for (const t of transceiversFor(cmd)) t.setCodecPreferences(chosen);
      return { codecs: chosen.map((c) => ({ mimeType: c.mimeType, clockRate: c.clockRate, channels: c.channels, sdpFmtpLine: c.sdpFmtpLine })) };
    },
    async mediaStats() {
      requireMedia("mediaStats");
      if (!pc) throw new Error("no peer connection");
      const stats = await mediaStats();
      stats.remoteTracks = remoteTracks.map((r) => ({ kind: r.track.kind, id: r.track.id, mid: r.mid, readyState: r.track.readyState, muted: r.track.muted, element: r.element }));
      return stats;
    },
  };

  return {
    async handle(cmd) {
      const fn = commands[cmd.cmd];
      if (!fn) throw new Error(`unknown command '${cmd.cmd}'`);
      return (await fn(cmd)) ?? {};
    },
    // The same, but a failure comes back as { error: { name, message } } (it crosses page.evaluate intact).
    async handleSafe(cmd) {
      try {
        return { result: await this.handle(cmd) };
      } catch (err) {
        return { error: { name: (err && err.name) || "Error", message: String((err && err.message) || err) } };
      }
    },
    closeAll,
  };
}
