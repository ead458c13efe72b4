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
