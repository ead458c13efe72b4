using WebRtc.Client.Codecs;

namespace WebRtc.Client.Media;

/// <summary>
/// Sends one track (W3C <c>RTCRtpSender</c>): encodes its frames with the negotiated codec,
/// packetizes, protects and sends them; answers the remote's keyframe requests and NACKs.
/// </summary>
public sealed class RTCRtpSender
{
    private readonly object _lock = new();
    private MediaStreamTrack? _track;
    private string _transactionId = Guid.NewGuid().ToString("N");
    private readonly RTCRtpEncodingParameters _encoding = new();
    private IReadOnlyList<string> _streamIds;

    internal RTCRtpSender(MediaKind kind, MediaStreamTrack? track, IReadOnlyList<string> streamIds, RtpSendStream stream, Func<RTCRtpSender, Task<RTCStatsReport>> stats)
    {
        Kind = kind;
        _streamIds = streamIds;
        Stream = stream;
        Stats = stats;
        SetTrack(track);
    }

    /// <summary>Audio or video.</summary>
    public MediaKind Kind { get; }

    /// <summary>The track being sent, or null.</summary>
    public MediaStreamTrack? Track => _track;

    /// <summary>The ids of the streams the track is announced in (<c>a=msid</c>).</summary>
    public IReadOnlyList<string> StreamIds => _streamIds;

    internal RtpSendStream Stream { get; }

    internal Func<RTCRtpSender, Task<RTCStatsReport>> Stats { get; }

    internal RTCRtpTransceiver? Transceiver { get; set; }

    /// <summary>The codecs and header extensions this endpoint can send for a kind, from a codec registry (W3C <c>getCapabilities</c>).</summary>
    /// <param name="kind">Audio or video.</param>
    /// <param name="registry">The registry the peer connection uses (<c>RTCPeerConnectionOptions.Codecs</c>).</param>
    public static RTCRtpCapabilities GetCapabilities(MediaKind kind, CodecRegistry registry) => MediaCapabilities.Get(kind, registry);

    /// <summary>
    /// Sends another track, or nothing (null), without renegotiation (W3C <c>replaceTrack</c>). RTP
    /// timestamps and sequence numbers continue, so the remote sees one stream.
    /// </summary>
    /// <param name="track">The new track, of the sender's kind, or null.</param>
    /// <exception cref="ArgumentException">The track's kind is not the sender's.</exception>
    /// <exception cref="InvalidStateException">The transceiver is stopped.</exception>
    public void ReplaceTrack(MediaStreamTrack? track)
    {
        if (track is not null && track.Kind != Kind)
        {
            throw new ArgumentException($"A {Kind} sender cannot send a {track.Kind} track (W3C TypeError).", nameof(track));
        }

        if (Transceiver?.IsStopped == true)
        {
            throw new InvalidStateException("The transceiver is stopped.");
        }

        SetTrack(track);
    }

    internal void SetTrack(MediaStreamTrack? track)
    {
        lock (_lock)
        {
            if (ReferenceEquals(track, _track))
            {
                return;
            }

            _track?.Source?.RemoveSink(Stream);
            _track = track;
            Stream.SetSource(track?.Source);
            if (track?.Source is { } source)
            {
                source.AddSink(track, Stream);
            }
        }
    }

    internal void SetStreamIds(IReadOnlyList<string> ids) => _streamIds = ids;

    /// <summary>The current parameters (W3C <c>getParameters</c>): one encoding, the negotiated codecs and header extensions.</summary>
    public RTCRtpSendParameters GetParameters()
    {
        lock (_lock)
        {
            _transactionId = Guid.NewGuid().ToString("N");
            var config = Stream.Config;
            return new RTCRtpSendParameters
            {
                TransactionId = _transactionId,
                Encodings =
                [
                    new RTCRtpEncodingParameters
                    {
                        Active = _encoding.Active,
                        MaxBitrate = _encoding.MaxBitrate,
                        MaxFramerate = _encoding.MaxFramerate,
                        ScaleResolutionDownBy = Kind == MediaKind.Video ? _encoding.ScaleResolutionDownBy ?? 1 : null,
                        Ssrc = Stream.Ssrc,
                        RtxSsrc = config?.RtxPayloadType is null ? null : Stream.RtxSsrc,
                    },
                ],
                Codecs = Transceiver?.NegotiatedCodecs ?? [],
                HeaderExtensions = Transceiver?.NegotiatedExtensions ?? [],
                Cname = Transceiver?.Cname,
            };
        }
    }

    /// <summary>
    /// Applies changed encodings (W3C <c>setParameters</c>): active, maxBitrate, maxFramerate,
    /// scaleResolutionDownBy. Takes effect from the next frame, without renegotiation.
    /// </summary>
    /// <param name="parameters">Parameters from <see cref="GetParameters"/>, changed.</param>
    /// <param name="cancellationToken">Unused today: the change applies at once.</param>
    /// <exception cref="InvalidModificationException">A stale transaction id, or a different number of encodings.</exception>
    /// <exception cref="ArgumentOutOfRangeException">scaleResolutionDownBy below 1, or a negative bitrate or frame rate.</exception>
    public Task SetParametersAsync(RTCRtpSendParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        lock (_lock)
        {
            if (parameters.TransactionId != _transactionId)
            {
                throw new InvalidModificationException("The parameters are not the ones the last GetParameters returned (W3C transactionId).");
            }

            if (parameters.Encodings.Count != 1)
            {
                throw new InvalidModificationException("The number of encodings cannot change without renegotiation; one encoding is supported.");
            }

            var e = parameters.Encodings[0];
            if (e.ScaleResolutionDownBy is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(parameters), "scaleResolutionDownBy must be at least 1 (W3C RangeError).");
            }

            if (e.MaxBitrate is < 0 || e.MaxFramerate is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(parameters), "maxBitrate and maxFramerate cannot be negative.");
            }

            _encoding.Active = e.Active;
            _encoding.MaxBitrate = e.MaxBitrate;
            _encoding.MaxFramerate = e.MaxFramerate;
            _encoding.ScaleResolutionDownBy = e.ScaleResolutionDownBy;
            Stream.Active = e.Active;
            Stream.MaxBitrate = e.MaxBitrate;
            Stream.MaxFramerate = e.MaxFramerate;
            Stream.ScaleResolutionDownBy = e.ScaleResolutionDownBy ?? 1;
            Stream.ApplyEncoderLimits();
            _transactionId = Guid.NewGuid().ToString("N");
        }

        return Task.CompletedTask;
    }

    /// <summary>The stats of this sender: its outbound-rtp, remote-inbound-rtp, codec and media-source entries.</summary>
    /// <param name="cancellationToken">Unused today: the stats are read without waiting.</param>
    public Task<RTCStatsReport> GetStatsAsync(CancellationToken cancellationToken = default) => Stats(this);
}

/// <summary>
/// Receives one remote track (W3C <c>RTCRtpReceiver</c>). Besides the decoded frames on its
/// <see cref="Track"/>, it offers what recorders and forwarders need without re-encoding: the
/// assembled encoded frames (<see cref="EncodedFrameReceived"/>) and the raw RTP packets
/// (<see cref="RtpPacketReceived"/>). Frames are decoded only while someone listens to the track.
/// </summary>
public sealed class RTCRtpReceiver
{
    private readonly object _lock = new();
    private RtpPacketHandler? _rtp;
    private EncodedFrameHandler? _encoded;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;

    internal RTCRtpReceiver(MediaStreamTrack track, Func<RTCRtpReceiver, Task<RTCStatsReport>> stats, Microsoft.Extensions.Logging.ILogger logger)
    {
        Track = track;
        Stats = stats;
        _logger = logger;
    }

    /// <summary>The remote track (exists from the start; muted until media arrives).</summary>
    public MediaStreamTrack Track { get; }

    internal RtpReceiveStream? Stream { get; set; }

    internal RTCRtpTransceiver? Transceiver { get; set; }

    internal Func<RTCRtpReceiver, Task<RTCStatsReport>> Stats { get; }

    /// <summary>Decode even when nobody listens to the track (for stats such as framesDecoded); off by default.</summary>
    public bool DecodeAlways { get; set; }

    /// <summary>Every RTP packet of this receiver after SRTP, before anything else; raised on the receive thread.</summary>
    public event RtpPacketHandler? RtpPacketReceived
    {
        add { lock (_lock) { _rtp += value; } }
        remove { lock (_lock) { _rtp -= value; } }
    }

    /// <summary>Every assembled encoded frame (video: complete frames only, from the first keyframe on); raised on the receive thread.</summary>
    public event EncodedFrameHandler? EncodedFrameReceived
    {
        add { lock (_lock) { _encoded += value; } }
        remove { lock (_lock) { _encoded -= value; } }
    }

    /// <summary>The codecs and header extensions this endpoint can receive for a kind (W3C <c>getCapabilities</c>).</summary>
    /// <param name="kind">Audio or video.</param>
    /// <param name="registry">The registry the peer connection uses.</param>
    public static RTCRtpCapabilities GetCapabilities(MediaKind kind, CodecRegistry registry) => MediaCapabilities.Get(kind, registry);

    /// <summary>
    /// Asks the remote sender for a keyframe (RTCP PLI, RFC 4585 §6.3.1), rate-limited as the receiver's own
    /// requests are; what a forwarder calls when its own receivers ask it for one.
    /// </summary>
    public void RequestKeyFrame() => Stream?.RequestKeyFrame();

    /// <summary>The negotiated receive parameters.</summary>
    public RTCRtpReceiveParameters GetParameters() => new()
    {
        Codecs = Transceiver?.NegotiatedCodecs ?? [],
        HeaderExtensions = Transceiver?.NegotiatedExtensions ?? [],
    };

    /// <summary>The stats of this receiver: its inbound-rtp and codec entries.</summary>
    /// <param name="cancellationToken">Unused today: the stats are read without waiting.</param>
    public Task<RTCStatsReport> GetStatsAsync(CancellationToken cancellationToken = default) => Stats(this);

    internal void RaiseRtpPacket(ReadOnlySpan<byte> packet)
    {
        var handler = _rtp;
        if (handler is null)
        {
            return;
        }

        foreach (var single in Delegate.EnumerateInvocationList(handler)) // no array per packet
        {
            try
            {
                single(this, packet);
            }
            catch (Exception ex)
            {
                Microsoft.Extensions.Logging.LoggerExtensions.LogError(_logger, ex, "An RtpPacketReceived handler threw; the stack carries on");
            }
        }
    }

    internal void RaiseEncodedFrame(string codec, ReadOnlySpan<byte> data, uint rtpTimestamp, bool keyFrame)
    {
        var handler = _encoded;
        if (handler is null)
        {
            return;
        }

        var frame = new EncodedFrame(codec, data, rtpTimestamp, Stream?.CurrentCodec?.ClockRate ?? 90000, keyFrame);
        foreach (var single in Delegate.EnumerateInvocationList(handler)) // no array per packet
        {
            try
            {
                single(this, frame);
            }
            catch (Exception ex)
            {
                Microsoft.Extensions.Logging.LoggerExtensions.LogError(_logger, ex, "An EncodedFrameReceived handler threw; the stack carries on");
            }
        }
    }
}
