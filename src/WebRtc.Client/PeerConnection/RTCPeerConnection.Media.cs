using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using WebRtc.Client.Codecs;
using WebRtc.Client.Jsep;
using WebRtc.Client.Media;
using WebRtc.Client.Net;
using WebRtc.Client.Sdp;

namespace WebRtc.Client;

// Audio and video: transceivers, their m-sections in offers and answers, and the RTP transport under them.
public sealed partial class RTCPeerConnection
{
    private readonly List<RTCRtpTransceiver> _transceivers = new();
    private readonly Dictionary<string, MediaStream> _remoteStreams = new(StringComparer.Ordinal);
    private readonly string _cname = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
    private RtpMediaTransport? _media;

    // The m-line layout of the last applied description: a transceiver, or null for the data section.

    /// <summary>A remote track arrived (W3C <c>track</c> event): raised when a remote description makes a receiver receive.</summary>
    public event EventHandler<RTCTrackEventArgs>? Track;

    /// <summary>The transceivers, in creation order (W3C <c>getTransceivers</c>).</summary>
    public IReadOnlyList<RTCRtpTransceiver> GetTransceivers()
    {
        lock (_gate)
        {
            return _transceivers.ToArray();
        }
    }

    /// <summary>The senders of the transceivers that are not stopped.</summary>
    public IReadOnlyList<RTCRtpSender> GetSenders() => GetTransceivers().Where(t => !t.IsStopped).Select(t => t.Sender).ToArray();

    /// <summary>The receivers of the transceivers that are not stopped.</summary>
    public IReadOnlyList<RTCRtpReceiver> GetReceivers() => GetTransceivers().Where(t => !t.IsStopped).Select(t => t.Receiver).ToArray();

    /// <summary>
    /// Sends a track (W3C <c>addTrack</c>): reuses a transceiver of its kind that a remote offer created and
    /// that sends nothing yet, else creates a send-receive transceiver. Requests negotiation.
    /// </summary>
    /// <param name="track">A local track.</param>
    /// <param name="streams">The streams it belongs to (for the remote's <c>Track</c> event).</param>
    /// <returns>The sender.</returns>
    /// <exception cref="InvalidStateException">Closed.</exception>
    /// <exception cref="InvalidAccessException">The track is already sent by a sender of this connection.</exception>
    public RTCRtpSender AddTrack(MediaStreamTrack track, params MediaStream[] streams)
    {
        ArgumentNullException.ThrowIfNull(track);
        ThrowIfClosed();
        RTCRtpTransceiver transceiver;
        lock (_gate)
        {
            if (_transceivers.Any(t => !t.IsStopped && ReferenceEquals(t.Sender.Track, track)))
            {
                throw new InvalidAccessException("This track is already being sent by a sender of this peer connection (W3C InvalidAccessError).");
            }

            var reusable = _transceivers.FirstOrDefault(t => t.Kind == track.Kind && !t.IsStopping && t.Sender.Track is null && t.FromRemote && !t.SenderUsed);
            if (reusable is not null)
            {
                reusable.SenderUsed = true;
                reusable.Sender.SetStreamIds(streams.Select(s => s.Id).ToArray());
                reusable.Sender.SetTrack(track);
                if (reusable.Direction is RTCRtpTransceiverDirection.RecvOnly or RTCRtpTransceiverDirection.Inactive)
                {
                    reusable.SetDirectionQuietly(reusable.Direction == RTCRtpTransceiverDirection.RecvOnly ? RTCRtpTransceiverDirection.SendRecv : RTCRtpTransceiverDirection.SendOnly);
                }

                transceiver = reusable;
            }
            else
            {
                transceiver = NewTransceiver(track.Kind, track, streams.Select(s => s.Id).ToArray(), RTCRtpTransceiverDirection.SendRecv, fromRemote: false);
                transceiver.SenderUsed = true;
            }
        }

        RequestNegotiation();
        return transceiver.Sender;
    }

    /// <summary>Stops sending a sender's track (W3C <c>removeTrack</c>): the sender's track becomes null and the direction loses send.</summary>
    /// <param name="sender">A sender of this connection.</param>
    /// <exception cref="InvalidAccessException">The sender is not of this connection.</exception>
    public void RemoveTrack(RTCRtpSender sender)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ThrowIfClosed();
        RTCRtpTransceiver? transceiver;
        lock (_gate)
        {
            transceiver = _transceivers.FirstOrDefault(t => t.Sender == sender);
        }

        if (transceiver is null)
        {
            throw new InvalidAccessException("The sender does not belong to this peer connection (W3C InvalidAccessError).");
        }

        if (transceiver.IsStopping || sender.Track is null)
        {
            return;
        }

        sender.SetTrack(null);
        transceiver.SetDirectionQuietly(transceiver.Direction switch
        {
            RTCRtpTransceiverDirection.SendRecv => RTCRtpTransceiverDirection.RecvOnly,
            RTCRtpTransceiverDirection.SendOnly => RTCRtpTransceiverDirection.Inactive,
            var d => d,
        });
        RequestNegotiation();
    }

    /// <summary>Adds a transceiver for a kind (W3C <c>addTransceiver</c>), e.g. receive-only video.</summary>
    /// <param name="kind">Audio or video.</param>
    /// <param name="init">Direction, streams, encodings.</param>
    /// <returns>The transceiver.</returns>
    public RTCRtpTransceiver AddTransceiver(MediaKind kind, RTCRtpTransceiverInit? init = null) => AddTransceiverCore(kind, null, init);

    /// <summary>Adds a transceiver that sends a track (W3C <c>addTransceiver(track)</c>).</summary>
    /// <param name="track">The track.</param>
    /// <param name="init">Direction, streams, encodings.</param>
    /// <returns>The transceiver.</returns>
    public RTCRtpTransceiver AddTransceiver(MediaStreamTrack track, RTCRtpTransceiverInit? init = null)
    {
        ArgumentNullException.ThrowIfNull(track);
        return AddTransceiverCore(track.Kind, track, init);
    }

    private RTCRtpTransceiver AddTransceiverCore(MediaKind kind, MediaStreamTrack? track, RTCRtpTransceiverInit? init)
    {
        ThrowIfClosed();
        init ??= new RTCRtpTransceiverInit();
        if (init.Direction == RTCRtpTransceiverDirection.Stopped)
        {
            throw new ArgumentException("A transceiver cannot be created stopped (W3C TypeError).", nameof(init));
        }

        if (init.SendEncodings.Count > 1)
        {
            throw new NotSupportedException("Simulcast (several send encodings) is not supported yet.");
        }

        RTCRtpTransceiver transceiver;
        lock (_gate)
        {
            transceiver = NewTransceiver(kind, track, init.Streams.Select(s => s.Id).ToArray(), init.Direction, fromRemote: false);
            transceiver.SenderUsed = true;
        }

        if (init.SendEncodings.Count == 1)
        {
            var p = transceiver.Sender.GetParameters();
            var e = init.SendEncodings[0];
            p.Encodings[0].Active = e.Active;
            p.Encodings[0].MaxBitrate = e.MaxBitrate;
            p.Encodings[0].MaxFramerate = e.MaxFramerate;
            p.Encodings[0].ScaleResolutionDownBy = e.ScaleResolutionDownBy;
            _ = transceiver.Sender.SetParametersAsync(p);
        }

        RequestNegotiation();
        return transceiver;
    }

    // Under _gate.
    private RTCRtpTransceiver NewTransceiver(MediaKind kind, MediaStreamTrack? track, IReadOnlyList<string> streamIds, RTCRtpTransceiverDirection direction, bool fromRemote)
    {
        var media = EnsureMediaTransport();
        var logger = _options.LoggerFactory?.CreateLogger("WebRtc.Client.Media") ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        uint ssrc = NewSsrc();
        uint rtxSsrc = NewSsrc();
        var sendStream = new RtpSendStream(kind, "", ssrc, rtxSsrc, media, _options.RtpMtu, logger);
        var sender = new RTCRtpSender(kind, track, streamIds, sendStream, s => GetStatsForAsync(s, null));
        var remoteTrack = new MediaStreamTrack(kind, string.Empty, null);
        remoteTrack.SetMuted(true);
        var receiver = new RTCRtpReceiver(remoteTrack, r => GetStatsForAsync(null, r), logger);
        var transceiver = new RTCRtpTransceiver(kind, sender, receiver, direction, _options.Codecs, t => RequestNegotiation())
        {
            FromRemote = fromRemote,
            Cname = _cname,
        };
        receiver.Stream = new RtpReceiveStream(kind, receiver, media, () => sendStream.Ssrc, logger);
        _transceivers.Add(transceiver);
        return transceiver;
    }

    private uint NewSsrc()
    {
        while (true)
        {
            uint ssrc = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);
            if (!_transceivers.Any(t => t.Sender.Stream.Ssrc == ssrc || t.Sender.Stream.RtxSsrc == ssrc))
            {
                return ssrc;
            }
        }
    }

    // Under _gate or before transports: the RTP side is made once; it binds to ICE when DTLS is up.
    private RtpMediaTransport EnsureMediaTransport()
    {
        return _media ??= new RtpMediaTransport(_options.TimeProvider, _cname,
            _options.LoggerFactory?.CreateLogger<RtpMediaTransport>() ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    }

    // W3C "update the negotiation-needed flag": the event comes from a queued task, not inside AddTrack, so a
    // handler that starts an offer (PerfectNegotiator) does not run in the middle of the app's AddTrack calls.
    private void RequestNegotiation()
    {
        lock (_gate)
        {
            if (_closed || _negotiationNeeded)
            {
                return;
            }

            _negotiationNeeded = true;
            if (_signalingState != RTCSignalingState.Stable)
            {
                return; // checked again when the negotiation in progress ends
            }
        }

        ThreadPool.QueueUserWorkItem(_ =>
        {
            lock (_gate)
            {
                if (_closed || !_negotiationNeeded || _signalingState != RTCSignalingState.Stable)
                {
                    return;
                }
            }

            Post(() => EventInvoker.Raise(NegotiationNeeded, this, _logger, nameof(NegotiationNeeded)));
        });
    }

    // W3C "check if negotiation is needed", for what the media adds.
    private bool MediaNeedsNegotiation()
    {
        lock (_gate)
        {
            foreach (var t in _transceivers)
            {
                if (t.IsStopped)
                {
                    continue;
                }

                if (t.IsStopping || t.Mid is null || t.NegotiatedDirection != t.Direction)
                {
                    return true;
                }
            }

            return _n.DataRequested && !HasNegotiatedDataSection && !_n.DataRejected;
        }
    }


    private static CodecKind ToCodecKind(MediaKind kind) => kind == MediaKind.Audio ? CodecKind.Audio : CodecKind.Video;

    private static MediaKind? ToMediaKind(string media) => media switch
    {
        "audio" => MediaKind.Audio,
        "video" => MediaKind.Video,
        _ => null,
    };

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
        var codecs = t.LastCodecs ?? Supported(JsepMedia.OfferCodecs(kind, _options.Codecs, t.CodecPreferences));
        bool sends = JsepMedia.Sends(direction);
        return new JsepMediaSection(t.Mid!, kind)
        {
            Rejected = t.IsStopped || t.IsStopping,
            Direction = direction,
            Codecs = codecs,
            HeaderExtensions = t.LastExtensions ?? JsepMedia.OfferHeaderExtensions(kind).Where(e => MediaCapabilities.HeaderExtensions(t.Kind).Contains(e.Uri)).ToArray(),
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
                    ? JsepMedia.AcceptedCodecs(OfferSection(t) with { Codecs = t.LastCodecs ?? Supported(JsepMedia.OfferCodecs(ToCodecKind(t.Kind), _options.Codecs, t.CodecPreferences)) }, remoteSection)
                    : Supported(JsepMedia.AnswerCodecs(remoteSection, _options.Codecs, t.CodecPreferences));
                answerCodecs = Supported(answerCodecs);
                var extensions = remoteSection.HeaderExtensions.Where(e => MediaCapabilities.HeaderExtensions(t.Kind).Contains(e.Uri)).ToArray();
                var direction = weOffered
                    ? JsepMedia.Reverse(remoteSection.Direction) // the answer's direction is the answerer's; ours is its reverse
                    : localSection.Direction ?? SdpDirection.SendRecv;
                t.LastCodecs = answerCodecs;
                t.LastExtensions = extensions;
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

    // Under _gate.
    private void StopTransceiverNow(RTCRtpTransceiver t)
    {
        if (t.IsStopped)
        {
            return;
        }

        t.IsStopped = true;
        t.CurrentDirection = RTCRtpTransceiverDirection.Stopped;
        if (t.Sender.Stream.HasSent && _media is { IsStarted: true } media)
        {
            RtcpReports.SendBye(media, t.Sender.Stream.Ssrc);
        }

        t.Sender.Stream.Configure(null);
        t.Sender.SetTrack(null);
        t.Receiver.Stream?.Configure(null);
        t.Receiver.Track.EndFromRemote();
    }

    // DTLS is up: key SRTP and let media flow (when any m-section carries RTP).
    private void StartMedia(Dtls.DtlsTransport dtls)
    {
        RtpMediaTransport? media;
        lock (_gate)
        {
            media = _transceivers.Count > 0 ? _media : null;
        }

        if (media is null || _ice is null)
        {
            return;
        }

        try
        {
            media.Start(_ice.Rtp, dtls.GetSrtpKeyingMaterial());
        }
        catch (InvalidOperationException ex)
        {
            _logger.LogWarning("SRTP could not be keyed from DTLS ({Message}); audio and video cannot flow", ex.Message);
        }
    }

    // The BUNDLE tag of a local description: the first m-line that is not rejected.
    private void SetCandidateLocation(SdpSessionDescription sdp)
    {
        for (int i = 0; i < sdp.Media.Count; i++)
        {
            if (!sdp.Media[i].IsRejected)
            {
                _n.CandidateMid = sdp.Media[i].Mid ?? _n.CandidateMid;
                _n.CandidateMLineIndex = i;
                return;
            }
        }
    }

    // Under _gate: W3C rollback removes the transceivers a remote offer made and forgets mids it gave.
    private void RollBackTransceivers()
    {
        _n.OfferedLayout = null;
        foreach (var t in _transceivers.ToArray())
        {
            if (t.NegotiatedDirection is null && t.CurrentDirection is null)
            {
                if (t.FromRemote && !t.SenderUsed)
                {
                    _transceivers.Remove(t);
                }
                else
                {
                    t.Mid = null;
                }
            }
        }
    }

    // The answer accepted our media but rejected the data section: the channels close with an error (as libwebrtc does).
    private void RejectDataSection(SdpSessionDescription localOffer)
    {
        var mid = localOffer.Media.FirstOrDefault(m => m.IsDataChannel)?.Mid ?? _n.DataMid;
        _logger.LogDebug("The remote answer rejects the data-channel m-section (mid {Mid}); the data channels close", mid);
        lock (_gate)
        {
            _n.DataRejected = true;
            _n.Layout.Remove(NegotiationState.DataSlot);
            _n.DataMidAssigned = false;
        }

        _channels.CloseAll(new OperationErrorException($"The remote answer rejected the data-channel m-section (mid {mid})."));
        _sctp?.Abort("the remote answer rejected the data-channel m-section");
    }
}
