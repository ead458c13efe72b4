namespace WebRtc.Client.Codecs;

/// <summary>
/// The codecs an endpoint can offer, in preference order. SDP negotiation reads its lists; a user
/// adds a codec by registering a <see cref="CodecInfo"/> with a factory. Thread-safe.
/// </summary>
public sealed class CodecRegistry
{
    /// <summary>RTCP feedback browsers use on video: NACK, PLI, FIR, REMB and transport-cc.</summary>
    public static IReadOnlyList<RtcpFeedback> VideoFeedback { get; } =
        [RtcpFeedback.GoogRemb, RtcpFeedback.TransportCc, RtcpFeedback.CcmFir, RtcpFeedback.Nack, RtcpFeedback.NackPli];

    private readonly object _lock = new();
    private List<CodecInfo> _codecs = [];

    /// <summary>Every registered codec, in preference order (a snapshot).</summary>
    public IReadOnlyList<CodecInfo> Codecs => Volatile.Read(ref _codecs);

    /// <summary>The audio codecs, in preference order.</summary>
    public IReadOnlyList<CodecInfo> Audio => Codecs.Where(c => c.Kind == CodecKind.Audio).ToArray();

    /// <summary>The video codecs, in preference order.</summary>
    public IReadOnlyList<CodecInfo> Video => Codecs.Where(c => c.Kind == CodecKind.Video).ToArray();

    /// <summary>A registry with the codecs the core carries: G.722, PCMU and PCMA.</summary>
    public static CodecRegistry CreateDefault()
    {
        var registry = new CodecRegistry();
        registry.Register(CodecInfo.Audio("G722", 8000, 1, G722Codec.Factory, staticPayloadType: 9));
        registry.Register(CodecInfo.Audio("PCMU", 8000, 1, G711Codec.PcmuFactory, staticPayloadType: 0));
        registry.Register(CodecInfo.Audio("PCMA", 8000, 1, G711Codec.PcmaFactory, staticPayloadType: 8));
        return registry;
    }

    /// <summary>Adds a codec, or replaces the one with the same kind, name, clock rate, channels and fmtp.</summary>
    /// <param name="codec">The codec.</param>
    /// <param name="first">Put it first (most preferred) instead of last.</param>
    public void Register(CodecInfo codec, bool first = false)
    {
        ArgumentNullException.ThrowIfNull(codec);
        lock (_lock)
        {
            var next = new List<CodecInfo>(_codecs);
            int existing = next.FindIndex(c => c.Kind == codec.Kind && string.Equals(c.Name, codec.Name, StringComparison.OrdinalIgnoreCase)
                && c.ClockRate == codec.ClockRate && c.Channels == codec.Channels && c.Fmtp == codec.Fmtp);
            if (existing >= 0)
            {
                next[existing] = codec;
            }
            else if (first)
            {
                next.Insert(0, codec);
            }
            else
            {
                next.Add(codec);
            }

            Volatile.Write(ref _codecs, next);
        }
    }

    /// <summary>Removes every codec with this name (case-insensitive, as SDP compares them).</summary>
    /// <param name="name">Encoding name.</param>
    /// <returns>Whether any was removed.</returns>
    public bool Remove(string name)
    {
        lock (_lock)
        {
            var next = _codecs.Where(c => !string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)).ToList();
            bool removed = next.Count != _codecs.Count;
            Volatile.Write(ref _codecs, next);
            return removed;
        }
    }

    /// <summary>Finds the first codec matching an <c>a=rtpmap</c> entry, or null.</summary>
    /// <param name="kind">Audio or video.</param>
    /// <param name="name">Encoding name, compared case-insensitively.</param>
    /// <param name="clockRate">Clock rate.</param>
    /// <param name="channels">Channels, or null to accept any.</param>
    public CodecInfo? Find(CodecKind kind, string name, int clockRate, int? channels = null) =>
        Codecs.FirstOrDefault(c => c.Kind == kind && string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)
            && c.ClockRate == clockRate && (channels is null || c.Channels == channels));
}
