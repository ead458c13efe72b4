using WebRtc.Client.Codecs;

namespace WebRtc.Client.Media;

/// <summary>
/// One m-section's sender and receiver (W3C <c>RTCRtpTransceiver</c>). Created by
/// <c>RTCPeerConnection.AddTrack</c>/<c>AddTransceiver</c>, or by a remote offer's new m-section.
/// </summary>
public sealed class RTCRtpTransceiver
{
    private readonly object _lock = new();
    private readonly Action<RTCRtpTransceiver> _negotiationNeeded;
    private RTCRtpTransceiverDirection _direction;
    private IReadOnlyList<CodecInfo>? _preferences;

    internal RTCRtpTransceiver(MediaKind kind, RTCRtpSender sender, RTCRtpReceiver receiver, RTCRtpTransceiverDirection direction,
        CodecRegistry registry, Action<RTCRtpTransceiver> negotiationNeeded)
    {
        Kind = kind;
        Sender = sender;
        Receiver = receiver;
        _direction = direction;
        Registry = registry;
        _negotiationNeeded = negotiationNeeded;
        sender.Transceiver = this;
        receiver.Transceiver = this;
    }

    /// <summary>Audio or video.</summary>
    public MediaKind Kind { get; }

    /// <summary>The m-section's mid, once a description assigned one (W3C).</summary>
    public string? Mid { get; internal set; }

    /// <summary>The sender.</summary>
    public RTCRtpSender Sender { get; }

    /// <summary>The receiver.</summary>
    public RTCRtpReceiver Receiver { get; }

    /// <summary>
    /// The preferred direction; changing it (to anything but <see cref="RTCRtpTransceiverDirection.Stopped"/>)
    /// takes effect at the next negotiation, which it requests.
    /// </summary>
    /// <exception cref="InvalidStateException">The transceiver is stopped.</exception>
    /// <exception cref="ArgumentException">Stopped is set directly (use <see cref="Stop"/>; W3C TypeError).</exception>
    public RTCRtpTransceiverDirection Direction
    {
        get
        {
            lock (_lock)
            {
                // W3C stop(): the direction reads "stopped" at once; currentDirection follows after negotiation.
                return IsStopping ? RTCRtpTransceiverDirection.Stopped : _direction;
            }
        }

        set
        {
            if (value == RTCRtpTransceiverDirection.Stopped)
            {
                throw new ArgumentException("Use Stop() to stop a transceiver (W3C TypeError).", nameof(value));
            }

            lock (_lock)
            {
                if (IsStopping)
                {
                    throw new InvalidStateException("The transceiver is stopped.");
                }

                if (_direction == value)
                {
                    return;
                }

                _direction = value;
            }

            _negotiationNeeded(this);
        }
    }

    /// <summary>The direction the last completed negotiation settled on, or null before one (W3C).</summary>
    public RTCRtpTransceiverDirection? CurrentDirection { get; internal set; }

    /// <summary>Whether <see cref="Stop"/> was called (the m-section is rejected at the next negotiation).</summary>
    public bool IsStopping { get; private set; }

    /// <summary>Whether the transceiver is stopped for good (a negotiation has rejected its m-section).</summary>
    public bool IsStopped { get; internal set; }

    internal CodecRegistry Registry { get; }

    internal IReadOnlyList<CodecInfo>? CodecPreferences => _preferences;

    internal IReadOnlyList<RTCRtpCodecParameters> NegotiatedCodecs { get; set; } = [];

    internal IReadOnlyList<RTCRtpHeaderExtensionParameters> NegotiatedExtensions { get; set; } = [];

    internal string? Cname { get; set; }

    internal bool TrackEventFired { get; set; }

    /// <summary>Whether AddTrack/AddTransceiver has given the sender a purpose (a remote-made transceiver is reused once).</summary>
    internal bool SenderUsed { get; set; }

    /// <summary>The direction the last completed negotiation was made with (to tell whether a change needs another).</summary>
    internal RTCRtpTransceiverDirection? NegotiatedDirection { get; set; }


    internal void SetDirectionQuietly(RTCRtpTransceiverDirection direction)
    {
        lock (_lock)
        {
            _direction = direction;
        }
    }

    /// <summary>Whether this transceiver was created by a remote offer (not by the app).</summary>
    internal bool FromRemote { get; init; }

    /// <summary>
    /// Stops the transceiver (W3C <c>stop()</c>): the sender stops sending, the receiver's track ends,
    /// and the next negotiation rejects its m-section (port 0), which may then be recycled.
    /// </summary>
    public void Stop()
    {
        lock (_lock)
        {
            if (IsStopping)
            {
                return;
            }

            IsStopping = true;
        }

        Sender.Stream.Active = false;
        Sender.SetTrack(null);
        Receiver.Track.EndFromRemote();
        _negotiationNeeded(this);
    }

    /// <summary>
    /// Sets which codecs to negotiate and in what order (W3C <c>setCodecPreferences</c>); an empty list
    /// restores the default. Takes effect at the next offer or answer.
    /// </summary>
    /// <param name="codecs">Codecs from <see cref="RTCRtpSender.GetCapabilities"/> or <see cref="RTCRtpReceiver.GetCapabilities"/>.</param>
    /// <exception cref="InvalidModificationException">A codec this endpoint does not have, or only rtx/red/fec entries.</exception>
    public void SetCodecPreferences(IEnumerable<RTCRtpCodecCapability> codecs)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        var list = codecs.ToList();
        if (list.Count == 0)
        {
            _preferences = null;
            return;
        }

        var chosen = new List<CodecInfo>();
        foreach (var c in list)
        {
            var slash = c.MimeType.IndexOf('/', StringComparison.Ordinal);
            var name = slash >= 0 ? c.MimeType[(slash + 1)..] : c.MimeType;
            if (name.Equals("rtx", StringComparison.OrdinalIgnoreCase) || name.Equals("red", StringComparison.OrdinalIgnoreCase)
                || name.Equals("ulpfec", StringComparison.OrdinalIgnoreCase))
            {
                continue; // RTX follows the codecs it repairs
            }

            var match = Registry.Codecs.FirstOrDefault(r => string.Equals(MediaCapabilities.MimeType(Kind, r.Name), c.MimeType, StringComparison.OrdinalIgnoreCase)
                && r.ClockRate == c.ClockRate && (c.SdpFmtpLine is null || r.Fmtp == c.SdpFmtpLine));
            if (match is null)
            {
                throw new InvalidModificationException($"{c.MimeType}/{c.ClockRate} ({c.SdpFmtpLine ?? "no fmtp"}) is not a {Kind} codec of this endpoint (W3C InvalidModificationError).");
            }

            chosen.Add(match);
        }

        if (chosen.Count == 0)
        {
            throw new InvalidModificationException("The preferences name no media codec, only repair formats (W3C InvalidModificationError).");
        }

        _preferences = chosen;
    }

    /// <summary>The kind and mid.</summary>
    public override string ToString() => $"{Kind} transceiver (mid {Mid ?? "none"}, {Direction})";
}
