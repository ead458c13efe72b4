using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using WebRtc.Client.Codecs;
using WebRtc.Client.Jsep;
using WebRtc.Client.Media;
using WebRtc.Client.Net;
using WebRtc.Client.Sdp;

namespace WebRtc.Client;

// Audio/video m-sections: what our offers and answers say for each transceiver, and what a completed negotiation sets up.
public sealed partial class RTCPeerConnection
{
    // Per transceiver, the codecs and extensions of the last negotiation, offered again as they are (payload types
    // stay stable, JSEP §5.2.2). Kept here, not on the transceiver: Media sits below JSEP.
    private readonly Dictionary<RTCRtpTransceiver, (IReadOnlyList<JsepCodec>? Codecs, IReadOnlyList<JsepHeaderExtension>? Extensions)> _negotiated = new();

    private static CodecKind ToCodecKind(MediaKind kind) => kind == MediaKind.Audio ? CodecKind.Audio : CodecKind.Video;

    private static SdpDirection ToSdp(RTCRtpTransceiverDirection d) => d switch
    {
        RTCRtpTransceiverDirection.SendRecv => SdpDirection.SendRecv,
        RTCRtpTransceiverDirection.SendOnly => SdpDirection.SendOnly,
        RTCRtpTransceiverDirection.RecvOnly => SdpDirection.RecvOnly,
        _ => SdpDirection.Inactive,
    };

    private static RTCRtpTransceiverDirection FromSdp(SdpDirection d) => d switch
    {
        SdpDirection.SendRecv => RTCRtpTransceiverDirection.SendRecv,
        SdpDirection.SendOnly => RTCRtpTransceiverDirection.SendOnly,
        SdpDirection.RecvOnly => RTCRtpTransceiverDirection.RecvOnly,
        _ => RTCRtpTransceiverDirection.Inactive,
    };

    private string NewMid() => _n.NewMid(_transceivers.Select(t => t.Mid));

    // The sections of a local offer (JSEP §5.2.1/§5.2.2): the m-lines of the last negotiation in place (a
    // stopped transceiver's m-line is recycled by a new one), new transceivers appended, the data section
    // when channels exist or it was negotiated (or when there is nothing else, as before media existed).
    private List<JsepSection> OfferSections()
    {
        lock (_gate)
        {
            var layout = new List<object?>(_n.Layout);
            foreach (var t in _transceivers)
            {
                if (t.IsStopped || layout.Contains(t))
                {
                    continue;
                }

                if (t.IsStopping && t.Mid is null)
                {
                    continue; // stopped before it was ever negotiated: nothing to reject
                }

                int free = layout.FindIndex(s => s is RTCRtpTransceiver old && old.IsStopped);
                if (free >= 0)
                {
                    layout[free] = t;
                    t.Mid = null; // a recycled m-line gets a new mid (JSEP §5.2.2)
                }
                else
                {
                    layout.Add(t);
                }
            }

            bool wantData = _n.DataRequested || HasNegotiatedDataSection || _transceivers.Count == 0;
            if (wantData && !layout.Contains(NegotiationState.DataSlot))
            {
                layout.Add(NegotiationState.DataSlot);
            }

            var sections = new List<JsepSection>();
            foreach (var slot in layout)
            {
                if (slot == NegotiationState.DataSlot)
                {
                    if (!_n.DataMidAssigned)
                    {
                        _n.DataMid = NewMid();
                        _n.DataMidAssigned = true;
                    }

                    sections.Add(new JsepDataSection(_n.DataMid) { MaxMessageSize = _options.MaxMessageSize });
                    continue;
                }

                var t = (RTCRtpTransceiver)slot!;
                t.Mid ??= NewMid();
                sections.Add(OfferSection(t));
            }

            _n.OfferedLayout = layout;
            return sections;
        }
    }


    private JsepMediaSection OfferSection(RTCRtpTransceiver t)
    {
        var kind = ToCodecKind(t.Kind);
        var direction = t.IsStopped || t.IsStopping ? SdpDirection.Inactive : ToSdp(t.Direction);
        var last = _negotiated.GetValueOrDefault(t);
        var codecs = last.Codecs ?? Supported(JsepMedia.OfferCodecs(kind, _options.Codecs, t.CodecPreferences));
        bool sends = JsepMedia.Sends(direction);
        return new JsepMediaSection(t.Mid!, kind)
        {
            Rejected = t.IsStopped || t.IsStopping,
            Direction = direction,
            Codecs = codecs,
            HeaderExtensions = last.Extensions ?? JsepMedia.OfferHeaderExtensions(kind).Where(e => MediaCapabilities.HeaderExtensions(t.Kind).Contains(e.Uri)).ToArray(),
            StreamIds = t.Sender.StreamIds,
            TrackId = t.Sender.Track?.Id ?? t.Sender.Stream.Ssrc.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Ssrc = sends ? t.Sender.Stream.Ssrc : null,
            RtxSsrc = sends && codecs.Any(c => c.RtxPayloadType is not null) ? t.Sender.Stream.RtxSsrc : null,
            Cname = _cname,
        };
    }

    // What the media path acts on: feedback outside NACK/PLI/FIR is not claimed (no TWCC or REMB yet).
    private static IReadOnlyList<JsepCodec> Supported(IReadOnlyList<JsepCodec> codecs) =>
        codecs.Select(c => c with
        {
            Feedback = c.Feedback.Where(MediaCapabilities.IsSupportedFeedback).ToArray(),
            RtxPayloadType = c.Feedback.Any(f => f.Type == "nack" && f.Parameter is null) ? c.RtxPayloadType : null,
        }).ToArray();

    // The answer's sections, one per offered m-line (null rejects it).
    private List<JsepSection?> AnswerSections(JsepRemoteDescription offer)
    {
        var result = new List<JsepSection?>();
        lock (_gate)
        {
            for (int i = 0; i < offer.Sdp.Media.Count; i++)
            {
                var m = offer.Sdp.Media[i];
                if (offer.DataSection is { } data && data.MLineIndex == i)
                {
                    result.Add(new JsepDataSection(m.Mid ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    {
                        MaxMessageSize = _options.MaxMessageSize,
                        SctpStreams = _options.Sctp.InboundStreams,
                    });
                    continue;
                }

                var remote = offer.MediaSections.FirstOrDefault(s => s.MLineIndex == i);
                var t = remote?.Mid is { } mid ? _transceivers.FirstOrDefault(x => x.Mid == mid && !x.IsStopped) : null;
                if (remote is null || !remote.IsUsable || t is null || t.IsStopping)
                {
                    result.Add(null);
                    continue;
                }

                var codecs = Supported(JsepMedia.AnswerCodecs(remote, _options.Codecs, t.CodecPreferences));
                if (codecs.Count == 0)
                {
                    _logger.LogDebug("Remote offer m-line {Index} ({Kind}, mid {Mid}) rejected in our answer: no offered codec matches ours ({Offered})",
                        i, remote.Kind, remote.Mid, string.Join(", ", remote.Codecs.Select(c => c.ToString())));
                    result.Add(null);
                    continue;
                }

                var direction = JsepMedia.AnswerDirection(remote.Direction, JsepMedia.Sends(ToSdp(t.Direction)), JsepMedia.Receives(ToSdp(t.Direction)));
                bool sends = JsepMedia.Sends(direction);
                result.Add(new JsepMediaSection(remote.Mid!, remote.Kind)
                {
                    Direction = direction,
                    Codecs = codecs,
                    HeaderExtensions = JsepMedia.AnswerHeaderExtensions(remote).Where(e => MediaCapabilities.HeaderExtensions(t.Kind).Contains(e.Uri)).ToArray(),
                    StreamIds = t.Sender.StreamIds,
                    TrackId = t.Sender.Track?.Id ?? t.Sender.Stream.Ssrc.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Ssrc = sends ? t.Sender.Stream.Ssrc : null,
                    RtxSsrc = sends && codecs.Any(c => c.RtxPayloadType is not null) ? t.Sender.Stream.RtxSsrc : null,
                    Cname = _cname,
                    RtcpRsize = remote.RtcpRsize,
                });
            }
        }

        return result;
    }

    // A remote offer: every audio/video m-section gets its transceiver (by mid; else one AddTrack made that has
    // no mid yet; else a new recvonly one, W3C "process remote tracks").
    private void AssociateRemoteOffer(JsepRemoteDescription offer)
    {
        lock (_gate)
        {
            if (_signalingState == RTCSignalingState.HaveLocalOffer)
            {
                // Glare: the remote offer rolls ours back, and with it the mids our offer gave (W3C implicit rollback).
                RollBackTransceivers();
            }

            var layout = new List<object?>();
            for (int i = 0; i < offer.Sdp.Media.Count; i++)
            {
                if (offer.DataSection is { } data && data.MLineIndex == i)
                {
                    layout.Add(NegotiationState.DataSlot);
                    _n.DataMid = data.Mid ?? _n.DataMid;
                    _n.DataMidAssigned = true;
                    continue;
                }

                var remote = offer.MediaSections.FirstOrDefault(s => s.MLineIndex == i);
                if (remote is null)
                {
                    layout.Add(null);
                    continue;
                }

                var kind = remote.Kind == CodecKind.Audio ? MediaKind.Audio : MediaKind.Video;
                var t = remote.Mid is { } mid ? _transceivers.FirstOrDefault(x => x.Mid == mid && !x.IsStopped) : null;
                if (t is null && remote.IsUsable)
                {
                    t = _transceivers.FirstOrDefault(x => x.Mid is null && x.Kind == kind && !x.IsStopping && !x.FromRemote && !x.IsStopped);
                    t ??= NewTransceiver(kind, null, [], RTCRtpTransceiverDirection.RecvOnly, fromRemote: true);
                    t.Mid = remote.Mid;
                }

                layout.Add(t);
            }

            _n.OfferedLayout = layout;
        }
    }

    // After a description is applied, each transceiver's remote side: fire Track for newly receiving ones (W3C).
    private void ProcessRemoteTracks(JsepRemoteDescription remote)
    {
        var events = new List<RTCTrackEventArgs>();
        lock (_gate)
        {
            foreach (var section in remote.MediaSections)
            {
                var t = section.Mid is { } mid ? _transceivers.FirstOrDefault(x => x.Mid == mid) : null;
                if (t is null || !section.IsUsable)
                {
                    continue;
                }

                // The remote sends when its direction says so (sendrecv/sendonly from its side).
                bool remoteSends = JsepMedia.Sends(section.Direction);
                if (remoteSends && !t.TrackEventFired)
                {
                    t.TrackEventFired = true;
                    var streams = section.StreamIds.Where(id => id != "-").Select(id =>
                    {
                        if (!_remoteStreams.TryGetValue(id, out var stream))
                        {
                            stream = new MediaStream(id);
                            _remoteStreams[id] = stream;
                        }

                        stream.AddTrack(t.Receiver.Track);
                        return stream;
                    }).ToArray();
                    events.Add(new RTCTrackEventArgs(t.Receiver, t.Receiver.Track, streams, t));
                }
                else if (!remoteSends && t.TrackEventFired)
                {
                    t.TrackEventFired = false;
                    foreach (var stream in _remoteStreams.Values)
                    {
                        stream.RemoveTrack(t.Receiver.Track);
                    }

                    t.Receiver.Track.SetMuted(true);
                }
            }
        }

        foreach (var e in events)
        {
            Post(() => EventInvoker.Raise(Track, this, e, _logger, nameof(Track)));
        }
    }

    // A negotiation completed (final answer applied either way): configure every transceiver from it.
    private void ApplyNegotiatedMedia(SdpSessionDescription local, JsepRemoteDescription remote, bool weOffered)
    {
        var senders = new List<RtpSendStream>();
        var receivers = new List<RtpReceiveStream>();
        lock (_gate)
        {
            _n.Layout = _n.OfferedLayout ?? _n.Layout;
            _n.OfferedLayout = null;
            foreach (var t in _transceivers)
            {
                var remoteSection = t.Mid is { } mid ? remote.MediaSections.FirstOrDefault(s => s.Mid == mid) : null;
                int index = remoteSection?.MLineIndex ?? -1;
                var localSection = index >= 0 && index < local.Media.Count ? local.Media[index] : null;
                if (remoteSection is null || localSection is null || localSection.IsRejected || !remoteSection.IsUsable)
                {
                    if (t.Mid is not null && (remoteSection is not null || t.IsStopping))
                    {
                        // Its m-line was rejected: stopped for good, the m-line may be recycled (JSEP §5.2.2).
                        StopTransceiverNow(t);
                    }

                    continue;
                }

                // The codecs of the answer, in its order (the offerer sends with them, the answerer too: one PT space).
                var answerCodecs = weOffered
                    ? JsepMedia.AcceptedCodecs(OfferSection(t), remoteSection)
                    : Supported(JsepMedia.AnswerCodecs(remoteSection, _options.Codecs, t.CodecPreferences));
                answerCodecs = Supported(answerCodecs);
                var extensions = remoteSection.HeaderExtensions.Where(e => MediaCapabilities.HeaderExtensions(t.Kind).Contains(e.Uri)).ToArray();
                var direction = weOffered
                    ? JsepMedia.Reverse(remoteSection.Direction) // the answer's direction is the answerer's; ours is its reverse
                    : localSection.Direction ?? SdpDirection.SendRecv;
                _negotiated[t] = (answerCodecs, extensions);
                t.NegotiatedDirection = t.Direction;
                t.CurrentDirection = FromSdp(direction);
                t.NegotiatedCodecs = answerCodecs.Select(c => new RTCRtpCodecParameters(c.PayloadType, MediaCapabilities.MimeType(t.Kind, c.Name), c.ClockRate,
                    t.Kind == MediaKind.Audio ? c.Channels : null, c.Fmtp)).ToArray();
                t.NegotiatedExtensions = extensions.Select(e => new RTCRtpHeaderExtensionParameters(e.Uri, e.Id)).ToArray();

                int ExtId(string uri) => extensions.FirstOrDefault(e => e.Uri == uri)?.Id ?? 0;
                var sendCodec = answerCodecs.FirstOrDefault(c => c.Local is not null);
                if (sendCodec is not null && JsepMedia.Sends(direction))
                {
                    t.Sender.Stream.Mid = t.Mid!;
                    t.Sender.Stream.Configure(new SendConfig(sendCodec.Local!, sendCodec.PayloadType, sendCodec.ClockRate, sendCodec.Channels, sendCodec.Fmtp,
                        sendCodec.RtxPayloadType, ExtId(Rtp.RtpHeaderExtensions.SdesMidUri), ExtId(Rtp.RtpHeaderExtensions.AbsSendTimeUri),
                        ExtId(Rtp.RtpHeaderExtensions.AudioLevelUri), sendCodec.Feedback.Any(f => f.Type == "nack" && f.Parameter is null)));
                    senders.Add(t.Sender.Stream);
                }
                else
                {
                    t.Sender.Stream.Configure(null);
                    if (t.Sender.Stream.HasSent || t.Sender.Track is not null)
                    {
                        senders.Add(t.Sender.Stream); // still answers RTCP for what it sent
                    }
                }

                var receiveCodecs = answerCodecs.Where(c => c.Local is not null)
                    .Select(c => new ReceiveCodec(c.PayloadType, c.Local!, c.ClockRate, c.Channels, c.Fmtp, c.RtxPayloadType)).ToArray();
                if (JsepMedia.Receives(direction) && receiveCodecs.Length > 0)
                {
                    var ssrcs = remoteSection.Ssrcs.Concat(remoteSection.RtxSsrcs.Values).ToArray();
                    t.Receiver.Stream!.Configure(new ReceiveConfig(t.Mid!, receiveCodecs, ExtId(Rtp.RtpHeaderExtensions.SdesMidUri),
                        ExtId(Rtp.RtpHeaderExtensions.AudioLevelUri),
                        answerCodecs.Any(c => c.Feedback.Any(f => f.Type == "nack" && f.Parameter is null)),
                        answerCodecs.Any(c => c.Feedback.Any(f => f.Type == "nack" && f.Parameter == "pli")), ssrcs));
                    receivers.Add(t.Receiver.Stream);
                }
                else
                {
                    t.Receiver.Stream!.Configure(null);
                }
            }
        }

        _media?.SetStreams(senders, receivers);
    }
}
