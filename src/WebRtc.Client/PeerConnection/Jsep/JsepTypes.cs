using System.Globalization;
using System.Security.Cryptography;
using WebRtc.Client.Codecs;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Sdp;

namespace WebRtc.Client.Jsep;

/// <summary>
/// One m-section that a local description offers or accepts (RFC 8829 §5.2.1, §5.3.1). Data
/// channels are <see cref="JsepDataSection"/>; the media work adds an RTP section type beside it.
/// </summary>
/// <param name="Mid">The media identification tag (RFC 8843 §7.2), a token such as <c>0</c>.</param>
public abstract record JsepSection(string Mid);

/// <summary>The data-channel m-section: <c>m=application 9 UDP/DTLS/SCTP webrtc-datachannel</c> (RFC 8841).</summary>
/// <param name="Mid">The media identification tag.</param>
public sealed record JsepDataSection(string Mid) : JsepSection(Mid)
{
    /// <summary>The default SCTP port, used when <c>a=sctp-port</c> is absent (RFC 8841 §5.2).</summary>
    public const int DefaultSctpPort = 5000;

    /// <summary>What Chromium writes in <c>a=max-message-size</c>, 256 KiB.</summary>
    public const long DefaultMaxMessageSize = 262144;

    /// <summary>The size assumed when a remote section has no <c>a=max-message-size</c>: 64 KiB (RFC 8841 §6.1).</summary>
    public const long RemoteMaxMessageSizeWhenAbsent = 65536;

    /// <summary>The inbound stream count this library's SCTP allows by default, 65535 (RFC 8831 §6.2).</summary>
    public const int DefaultSctpStreams = 65535;

    /// <summary>The SCTP port written in <c>a=sctp-port</c>.</summary>
    public int SctpPort { get; init; } = DefaultSctpPort;

    /// <summary>The largest message this endpoint receives, written in <c>a=max-message-size</c>; 0 means no limit.</summary>
    public long MaxMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>
    /// The stream count written in <c>a=sctpmap</c> when answering an offer in the draft-ietf-mmusic-sctp-sdp-05
    /// form: the inbound streams the SCTP INIT allows (<see cref="DefaultSctpStreams"/> by default).
    /// </summary>
    public int SctpStreams { get; init; } = DefaultSctpStreams;
}

/// <summary>The local ICE and DTLS parameters a local description carries (RFC 8839, RFC 8842, RFC 8122).</summary>
/// <param name="IceCredentials">The local ufrag and password.</param>
/// <param name="Fingerprints">The local certificate fingerprints (at least one; sha-256 as browsers use).</param>
public sealed record JsepLocalTransport(IceCredentials IceCredentials, IReadOnlyList<RTCDtlsFingerprint> Fingerprints)
{
    /// <summary>Gathered candidates to write as <c>a=candidate</c> lines in the bundle-tag section (non-trickle), or empty.</summary>
    public IReadOnlyList<RTCIceCandidate> Candidates { get; init; } = [];

    /// <summary>Whether gathering is complete: writes <c>a=end-of-candidates</c> (RFC 8840 §8.2).</summary>
    public bool EndOfCandidates { get; init; }

    /// <summary>Whether to write <c>a=ice-options:trickle</c> (RFC 8840 §6; JSEP always does, RFC 8829 §5.2.1).</summary>
    public bool Trickle { get; init; } = true;

    /// <summary>Whether this endpoint is an ICE lite implementation: writes session-level <c>a=ice-lite</c> (RFC 8839 §5.3).</summary>
    public bool IceLite { get; init; }
}

/// <summary>
/// The <c>o=</c> line of one peer connection's local descriptions: a random session id that stays
/// fixed and a version that grows by one whenever a new description differs from the last
/// (RFC 8829 §5.2.1, §5.2.2, §5.3.2). Not thread-safe; the peer connection's operations chain serializes it.
/// </summary>
public sealed class JsepOrigin
{
    private string? _lastBody;

    /// <summary>Creates a tracker with a new random session id (or the given one) and version 0.</summary>
    /// <param name="sessionId">The session id; null for a fresh one (63 random bits, RFC 8829 §5.2.1).</param>
    /// <param name="initialVersion">The version of the first description; RFC 3264 §5 asks it stay below 2^62 - 1.</param>
    public JsepOrigin(ulong? sessionId = null, ulong initialVersion = 0)
    {
        SessionId = sessionId ?? NewSessionId();
        SessionVersion = initialVersion;
    }

    /// <summary>The session id.</summary>
    public ulong SessionId { get; }

    /// <summary>The version of the last stamped description (or the initial version before the first).</summary>
    public ulong SessionVersion { get; private set; }

    /// <summary>A new session id: a 64-bit value with the high bit cleared and 63 random bits (RFC 8829 §5.2.1).</summary>
    /// <returns>The id, never 0.</returns>
    public static ulong NewSessionId()
    {
        Span<byte> bytes = stackalloc byte[8];
        ulong id;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            id = BitConverter.ToUInt64(bytes) & 0x7FFF_FFFF_FFFF_FFFFUL;
        }
        while (id == 0);
        return id;
    }

    /// <summary>
    /// Sets the description's <c>o=</c> line: the same version as last time when nothing else
    /// changed, else the version plus one (RFC 8829 §5.2.2: "MUST be incremented ... if ... different").
    /// </summary>
    /// <param name="description">A description the builder made.</param>
    /// <returns>The origin written.</returns>
    public SdpOrigin Stamp(SdpSessionDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        description.Origin = SdpOrigin.Create(SessionId, SessionVersion);
        var text = description.ToString();
        var body = text[(text.IndexOf("\r\ns=", StringComparison.Ordinal) + 2)..];
        if (_lastBody is not null && body != _lastBody)
        {
            SessionVersion++;
            description.Origin = SdpOrigin.Create(SessionId, SessionVersion);
        }
        _lastBody = body;
        return description.Origin;
    }
}

/// <summary>
/// One negotiated or offered RTP codec: one <c>a=rtpmap</c> with its <c>a=fmtp</c> and <c>a=rtcp-fb</c> lines
/// (RFC 8866 §6.6, §6.15; RFC 4585 §4.2), and the RTX payload type that repairs it (RFC 4588 §8.6).
/// </summary>
/// <param name="PayloadType">The RTP payload type, 0 to 127.</param>
/// <param name="Name">The encoding name as in <c>a=rtpmap</c> (<c>VP8</c>, <c>opus</c>).</param>
/// <param name="ClockRate">The RTP clock rate.</param>
/// <param name="Channels">Audio channels (1 when the rtpmap says none), 0 for video.</param>
/// <param name="Fmtp">The <c>a=fmtp</c> parameters, or null.</param>
/// <param name="Feedback">The <c>a=rtcp-fb</c> values for this payload type.</param>
public sealed record JsepCodec(int PayloadType, string Name, int ClockRate, int Channels, string? Fmtp, IReadOnlyList<RtcpFeedback> Feedback)
{
    /// <summary>The payload type of its <c>a=rtpmap:N rtx/&lt;clock&gt;</c> + <c>a=fmtp:N apt=PayloadType</c> partner, or null.</summary>
    public int? RtxPayloadType { get; init; }

    /// <summary>The local registry entry it matched, or null for a codec only the remote side has.</summary>
    public CodecInfo? Local { get; init; }

    /// <summary>The <c>a=rtpmap</c> value after the payload type: <c>opus/48000/2</c>, <c>VP8/90000</c>.</summary>
    public string RtpMap => Channels > 1
        ? string.Create(CultureInfo.InvariantCulture, $"{Name}/{ClockRate}/{Channels}")
        : string.Create(CultureInfo.InvariantCulture, $"{Name}/{ClockRate}");

    /// <summary>Whether this codec and <paramref name="other"/> have the same payload type, name, clock, channels, fmtp, feedback and RTX.</summary>
    /// <param name="other">The other codec.</param>
    /// <returns>Whether they are the same (the feedback lists compared element by element; <see cref="Local"/> ignored).</returns>
    public bool SameAs(JsepCodec? other) =>
        other is not null && PayloadType == other.PayloadType && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase)
        && ClockRate == other.ClockRate && Channels == other.Channels && Fmtp == other.Fmtp && RtxPayloadType == other.RtxPayloadType
        && Feedback.SequenceEqual(other.Feedback);

    /// <summary>The payload type and rtpmap form, e.g. <c>111 opus/48000/2</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => PayloadType.ToString(CultureInfo.InvariantCulture) + " " + RtpMap;
}

/// <summary>One RTP header extension of an m-section: <c>a=extmap:&lt;id&gt; &lt;uri&gt;</c> (RFC 8285 §7).</summary>
/// <param name="Id">The extension id, 1 to 14 (one-byte header) or up to 255 (two-byte header).</param>
/// <param name="Uri">The extension URI (see <see cref="Rtp.RtpHeaderExtensions"/>).</param>
public sealed record JsepHeaderExtension(int Id, string Uri);

/// <summary>
/// A local audio or video m-section to offer or to answer with:
/// <c>m=audio|video 9 UDP/TLS/RTP/SAVPF &lt;payload types&gt;</c> (RFC 8829 §5.2.1, §5.3.1).
/// </summary>
/// <param name="Mid">The media identification tag.</param>
/// <param name="Kind">Audio or video.</param>
public sealed record JsepMediaSection(string Mid, CodecKind Kind) : JsepSection(Mid)
{
    /// <summary>The direction attribute (RFC 3264 §5.1); in an answer, the RFC 3264 §6.1 answer to the offered one.</summary>
    public SdpDirection Direction { get; init; } = SdpDirection.SendRecv;

    /// <summary>The codecs in preference order; each RTX partner is written right after its codec.</summary>
    public IReadOnlyList<JsepCodec> Codecs { get; init; } = [];

    /// <summary>The header extensions (<c>a=extmap</c>).</summary>
    public IReadOnlyList<JsepHeaderExtension> HeaderExtensions { get; init; } = [];

    /// <summary>The stream ids for <c>a=msid:&lt;stream&gt; &lt;track&gt;</c>; empty writes <c>-</c> (RFC 8829 §5.2.1).</summary>
    public IReadOnlyList<string> StreamIds { get; init; } = [];

    /// <summary>The track id in <c>a=msid</c>, or null for no <c>a=msid</c> line.</summary>
    public string? TrackId { get; init; }

    /// <summary>
    /// The SSRC this side sends with, or null when it does not send: writes <c>a=ssrc:&lt;ssrc&gt; cname:&lt;cname&gt;</c>
    /// (+ msid) and, with <see cref="RtxSsrc"/>, <c>a=ssrc-group:FID &lt;ssrc&gt; &lt;rtx&gt;</c> (RFC 5576, RFC 4588 §8.6).
    /// </summary>
    public uint? Ssrc { get; init; }

    /// <summary>The RTX SSRC paired with <see cref="Ssrc"/>, or null.</summary>
    public uint? RtxSsrc { get; init; }

    /// <summary>The RTCP CNAME for the <c>a=ssrc</c> lines (RFC 7022).</summary>
    public string? Cname { get; init; }

    /// <summary>Whether to write <c>a=rtcp-rsize</c> (reduced-size RTCP, RFC 5506 §5).</summary>
    public bool RtcpRsize { get; init; } = true;

    /// <summary>
    /// A stopped transceiver's m-line in an offer: written with port 0 and <c>a=inactive</c>, left out of the
    /// BUNDLE group (RFC 8829 §5.2.2), so its slot can be recycled later.
    /// </summary>
    public bool Rejected { get; init; }
}
