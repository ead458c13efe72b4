using System.Globalization;
using System.Text;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;

namespace WebRtc.Client.Sdp;

/// <summary>
/// A media section: the <c>m=</c> line and the <c>i=</c>, <c>c=</c>, <c>b=</c>, <c>k=</c> and
/// <c>a=</c> lines under it (RFC 8866 §5.14). Attributes keep their order; the typed properties
/// read them and never throw (a value that does not parse reads as absent).
/// </summary>
public sealed class SdpMediaDescription
{
    /// <summary>The data-channel media type, <c>application</c> (RFC 8841 §4).</summary>
    public const string ApplicationMedia = "application";

    /// <summary>The data-channel protocol over ICE/UDP, <c>UDP/DTLS/SCTP</c> (RFC 8841 §4.1).</summary>
    public const string UdpDtlsSctp = "UDP/DTLS/SCTP";

    /// <summary>The data-channel protocol over ICE/TCP, <c>TCP/DTLS/SCTP</c> (RFC 8841 §4.1).</summary>
    public const string TcpDtlsSctp = "TCP/DTLS/SCTP";

    /// <summary>
    /// The data-channel protocol of draft-ietf-mmusic-sctp-sdp before RFC 8841, <c>DTLS/SCTP</c>, which
    /// older stacks still offer (with the SCTP port as the format and <c>a=sctpmap</c>, or with
    /// <c>webrtc-datachannel</c> and <c>a=sctp-port</c>).
    /// </summary>
    public const string DtlsSctp = "DTLS/SCTP";

    /// <summary>The data-channel format, <c>webrtc-datachannel</c> (RFC 8841 §4.1).</summary>
    public const string DataChannelFormat = "webrtc-datachannel";

    private string _media;
    private int _port;
    private int? _portCount;
    private string _proto;

    /// <summary>Creates a media section.</summary>
    /// <param name="media">The media type: <c>audio</c>, <c>video</c>, <c>application</c> ...</param>
    /// <param name="port">The port, 0 to 65535 (JSEP writes 9, or 0 for a rejected or bundle-only section).</param>
    /// <param name="proto">The transport protocol (<c>UDP/TLS/RTP/SAVPF</c>, <c>UDP/DTLS/SCTP</c>).</param>
    /// <param name="formats">The formats: payload types, or <c>webrtc-datachannel</c>.</param>
    /// <exception cref="ArgumentException">A field is empty or holds whitespace, or the port is out of range.</exception>
    public SdpMediaDescription(string media, int port, string proto, IEnumerable<string> formats)
    {
        SdpText.RequireField(media, nameof(media));
        SdpText.RequireField(proto, nameof(proto));
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentNullException.ThrowIfNull(formats);
        _media = media;
        _port = port;
        _proto = proto;
        foreach (var f in formats) { Formats.Add(f); }
    }

    /// <summary>The media type (<c>audio</c>, <c>video</c>, <c>application</c>).</summary>
    public string Media { get => _media; set { SdpText.RequireField(value, nameof(value)); _media = value; } }

    /// <summary>The port, 0 to 65535.</summary>
    public int Port
    {
        get => _port;
        set { ArgumentOutOfRangeException.ThrowIfNegative(value); ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 65535); _port = value; }
    }

    /// <summary>The number of ports after a slash (<c>m=audio 9/2 ...</c>), or null.</summary>
    public int? PortCount { get => _portCount; set { if (value is < 1) { throw new ArgumentOutOfRangeException(nameof(value)); } _portCount = value; } }

    /// <summary>The transport protocol.</summary>
    public string Proto { get => _proto; set { SdpText.RequireField(value, nameof(value)); _proto = value; } }

    /// <summary>The formats, in order (each must be a non-empty field when written).</summary>
    public IList<string> Formats { get; } = new List<string>();

    /// <summary>The <c>i=</c> media title, or null.</summary>
    public string? Information { get; set; }

    /// <summary>The <c>c=</c> lines (JSEP writes one: the default candidate's address, or <c>IN IP4 0.0.0.0</c>).</summary>
    public IList<SdpConnection> Connections { get; } = new List<SdpConnection>();

    /// <summary>The <c>b=</c> lines.</summary>
    public IList<SdpBandwidth> Bandwidths { get; } = new List<SdpBandwidth>();

    /// <summary>The <c>k=</c> line value (obsolete), or null.</summary>
    public string? EncryptionKey { get; set; }

    /// <summary>The attributes in order.</summary>
    public SdpAttributeList Attributes { get; } = new();

    /// <summary>The <c>a=mid</c> identification tag (RFC 5888 §4, RFC 8843), or null.</summary>
    public string? Mid => Attributes.GetValue("mid");

    /// <summary>The media-level <c>a=ice-ufrag</c> (RFC 8839 §5.4), or null.</summary>
    public string? IceUfrag => Attributes.GetValue("ice-ufrag");

    /// <summary>The media-level <c>a=ice-pwd</c> (RFC 8839 §5.4), or null.</summary>
    public string? IcePwd => Attributes.GetValue("ice-pwd");

    /// <summary>The media-level <c>a=ice-options</c> tags (RFC 8839 §5.6), such as <c>trickle</c>.</summary>
    public IReadOnlyList<string> IceOptions => SdpTransportAttributes.IceOptions(Attributes);

    /// <summary>The media-level <c>a=fingerprint</c> values this library can verify (RFC 8122 §5); others are skipped.</summary>
    public IReadOnlyList<RTCDtlsFingerprint> Fingerprints => SdpTransportAttributes.Fingerprints(Attributes);

    /// <summary>The media-level <c>a=setup</c> role (RFC 8842), or null when absent, <c>holdconn</c> or unknown.</summary>
    public DtlsSetup? Setup => SdpTransportAttributes.Setup(Attributes);

    /// <summary>Whether <c>a=end-of-candidates</c> is present (RFC 8840 §8.2).</summary>
    public bool EndOfCandidates => Attributes.Contains("end-of-candidates");

    /// <summary>Whether <c>a=rtcp-mux</c> is present (RFC 5761 §5.1.1).</summary>
    public bool RtcpMux => Attributes.Contains("rtcp-mux");

    /// <summary>Whether <c>a=rtcp-rsize</c> is present (RFC 5506 §5).</summary>
    public bool RtcpRsize => Attributes.Contains("rtcp-rsize");

    /// <summary>Whether <c>a=bundle-only</c> is present (RFC 8843 §6).</summary>
    public bool IsBundleOnly => Attributes.Contains("bundle-only");

    /// <summary>Whether the section is rejected or disabled: port 0 without <c>a=bundle-only</c> (RFC 8843 §7.3, RFC 3264 §6).</summary>
    public bool IsRejected => Port == 0 && !IsBundleOnly;

    /// <summary>The direction attribute, or null when none is written (which means sendrecv, RFC 3264 §5.1).</summary>
    public SdpDirection? Direction
    {
        get
        {
            foreach (var a in Attributes)
            {
                if (a.IsFlag && SdpValueParser.ParseDirection(a.Name) is { } d) { return d; }
            }
            return null;
        }
    }

    /// <summary>
    /// Whether this is a data-channel section: <c>m=application &lt;port&gt; UDP/DTLS/SCTP webrtc-datachannel</c>
    /// (RFC 8841 §4; also over <c>TCP/DTLS/SCTP</c> and the older <c>DTLS/SCTP</c>), or the older form
    /// <see cref="IsLegacyDataChannel"/>.
    /// </summary>
    public bool IsDataChannel =>
        Media == ApplicationMedia && IsDtlsSctpProto(Proto) && (Formats.Contains(DataChannelFormat) || IsLegacyDataChannel);

    /// <summary>
    /// Whether this is a data-channel section in the form of draft-ietf-mmusic-sctp-sdp-05, before RFC 8841:
    /// <c>m=application &lt;port&gt; DTLS/SCTP 5000</c>, the SCTP port as the format, with
    /// <c>a=sctpmap:5000 webrtc-datachannel 1024</c>. As in libwebrtc, a numeric format is read as an SCTP
    /// port whether or not an sctpmap names it; an sctpmap naming another application makes it no data section.
    /// </summary>
    public bool IsLegacyDataChannel
    {
        get
        {
            if (Media != ApplicationMedia || !IsDtlsSctpProto(Proto) || Formats.Count == 0 || Formats.Contains(DataChannelFormat)
                || !SdpText.TryParseInt(Formats[0], out var port) || port > 65535)
            {
                return false;
            }
            return SctpMaps.FirstOrDefault(m => m.Number == port) is not { } map || map.App == DataChannelFormat;
        }
    }

    /// <summary>The <c>a=sctpmap</c> values that parse (draft-ietf-mmusic-sctp-sdp-05, see <see cref="SdpSctpMap"/>).</summary>
    public IReadOnlyList<SdpSctpMap> SctpMaps => Collect<SdpSctpMap>("sctpmap", SdpSctpMap.TryParse);

    /// <summary>The <c>a=sctp-port</c> value (RFC 8841 §5), or null when absent or malformed.</summary>
    public int? SctpPort => SdpText.TryParseInt(Attributes.GetValue("sctp-port"), out var p) && p <= 65535 ? p : null;

    /// <summary>The <c>a=max-message-size</c> value (RFC 8841 §6), or null when absent or malformed; 0 means no limit.</summary>
    public long? MaxMessageSize => SdpText.TryParseLong(Attributes.GetValue("max-message-size"), out var s) ? s : null;

    /// <summary>The <c>a=msid</c> values (RFC 8830).</summary>
    public IReadOnlyList<SdpMsid> Msids => Collect<SdpMsid>("msid", SdpMsid.TryParse);

    /// <summary>The <c>a=rtpmap</c> values in order.</summary>
    public IReadOnlyList<SdpRtpMap> RtpMaps => Collect<SdpRtpMap>("rtpmap", SdpRtpMap.TryParse);

    /// <summary>The <c>a=fmtp</c> values in order.</summary>
    public IReadOnlyList<SdpFmtp> Fmtps => Collect<SdpFmtp>("fmtp", SdpFmtp.TryParse);

    /// <summary>The <c>a=rtcp-fb</c> values in order.</summary>
    public IReadOnlyList<SdpRtcpFeedback> RtcpFeedbacks => Collect<SdpRtcpFeedback>("rtcp-fb", SdpRtcpFeedback.TryParse);

    /// <summary>The <c>a=extmap</c> values in order.</summary>
    public IReadOnlyList<SdpExtMap> ExtMaps => Collect<SdpExtMap>("extmap", SdpExtMap.TryParse);

    /// <summary>Whether <c>a=extmap-allow-mixed</c> is present (RFC 8285 §6).</summary>
    public bool ExtMapAllowMixed => Attributes.Contains("extmap-allow-mixed");

    /// <summary>The <c>a=ssrc</c> values in order.</summary>
    public IReadOnlyList<SdpSsrc> Ssrcs => Collect<SdpSsrc>("ssrc", SdpSsrc.TryParse);

    /// <summary>The <c>a=ssrc-group</c> values in order.</summary>
    public IReadOnlyList<SdpSsrcGroup> SsrcGroups => Collect<SdpSsrcGroup>("ssrc-group", SdpSsrcGroup.TryParse);

    /// <summary>The rtpmap of a payload type, or null.</summary>
    /// <param name="payloadType">The payload type.</param>
    /// <returns>The rtpmap, or null.</returns>
    public SdpRtpMap? GetRtpMap(int payloadType) => RtpMaps.FirstOrDefault(r => r.PayloadType == payloadType);

    /// <summary>The fmtp of a format, or null.</summary>
    /// <param name="format">The format (payload type as text).</param>
    /// <returns>The fmtp, or null.</returns>
    public SdpFmtp? GetFmtp(string format) => Fmtps.FirstOrDefault(f => f.Format == format);

    /// <summary>The rtcp-fb values that apply to a payload type, its own and the <c>*</c> ones.</summary>
    /// <param name="payloadType">The payload type.</param>
    /// <returns>The feedback values in order.</returns>
    public IReadOnlyList<SdpRtcpFeedback> GetRtcpFeedbacks(int payloadType)
    {
        var pt = payloadType.ToString(CultureInfo.InvariantCulture);
        return RtcpFeedbacks.Where(f => f.PayloadType == pt || f.PayloadType == "*").ToArray();
    }

    /// <summary>
    /// The <c>a=candidate</c> lines that parse (RFC 8839 §5.1), tagged with this section's mid and
    /// <paramref name="mLineIndex"/> and, when the candidate has no <c>ufrag</c>, <paramref name="usernameFragment"/>.
    /// A candidate this library cannot read (an unknown transport, RFC 8839 §5.1) is skipped.
    /// </summary>
    /// <param name="mLineIndex">The zero-based index of this section, or null.</param>
    /// <param name="usernameFragment">The ufrag in force for this section, or null.</param>
    /// <returns>The candidates in order.</returns>
    public IReadOnlyList<RTCIceCandidate> GetCandidates(int? mLineIndex = null, string? usernameFragment = null)
    {
        var mid = Mid;
        var ufrag = usernameFragment is not null && IceCredentials.IsIceChars(usernameFragment) ? usernameFragment : null;
        var list = new List<RTCIceCandidate>();
        foreach (var a in Attributes)
        {
            if (a.Name == "candidate" && a.Value is not null
                && RTCIceCandidate.TryParse("candidate:" + a.Value, mid, mLineIndex, ufrag, out var c, out _))
            {
                list.Add(c);
            }
        }
        return list;
    }

    /// <summary>Writes the section: the <c>m=</c> line and the lines under it, each ending in CRLF.</summary>
    /// <returns>The section text.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder(64 + (Attributes.Count * 40));
        WriteTo(sb);
        return sb.ToString();
    }

    internal void WriteTo(StringBuilder sb)
    {
        sb.Append("m=").Append(Media).Append(' ').Append(Port.ToString(CultureInfo.InvariantCulture));
        if (PortCount is { } n) { sb.Append('/').Append(n.ToString(CultureInfo.InvariantCulture)); }
        sb.Append(' ').Append(Proto);
        foreach (var f in Formats)
        {
            if (!SdpText.IsField(f)) { throw new InvalidOperationException($"The m= format '{f}' is empty or holds whitespace."); }
            sb.Append(' ').Append(f);
        }
        sb.Append("\r\n");
        SdpSessionDescription.AppendLine(sb, 'i', Information);
        foreach (var c in Connections) { SdpSessionDescription.AppendLine(sb, 'c', c.ToString()); }
        foreach (var b in Bandwidths) { SdpSessionDescription.AppendLine(sb, 'b', b.ToString()); }
        SdpSessionDescription.AppendLine(sb, 'k', EncryptionKey);
        foreach (var a in Attributes) { sb.Append("a=").Append(a.Name); if (a.Value is not null) { sb.Append(':').Append(a.Value); } sb.Append("\r\n"); }
    }

    // UDP/DTLS/SCTP and TCP/DTLS/SCTP (RFC 8841 §4.1), or DTLS/SCTP from the drafts before it (libwebrtc's IsDtlsSctp).
    internal static bool IsDtlsSctpProto(string proto) => proto is UdpDtlsSctp or TcpDtlsSctp or DtlsSctp;

    private delegate bool TryParser<T>(string? value, out T? result);

    private List<T> Collect<T>(string name, TryParser<T> parse)
        where T : class
    {
        var list = new List<T>();
        foreach (var a in Attributes)
        {
            if (a.Name == name && parse(a.Value, out var v) && v is not null) { list.Add(v); }
        }
        return list;
    }
}
