using System.Diagnostics.CodeAnalysis;
using System.Text;
using WebRtc.Client.Dtls;

namespace WebRtc.Client.Sdp;

/// <summary>
/// A session description (RFC 8866): the session-level lines, its attributes in order, and the
/// media sections. <see cref="Parse"/> reads one and <see cref="ToString"/> writes it back in
/// the RFC 8866 §5 line order with CRLF endings, so that a browser's offer or answer
/// round-trips exactly (only LF-only line endings are normalized to CRLF).
/// </summary>
/// <remarks>
/// Unknown attributes are kept in order. Lines whose meaning this library does not use
/// (<c>i=</c>, <c>u=</c>, <c>e=</c>, <c>p=</c>, <c>r=</c>, <c>z=</c>, <c>k=</c>) are kept as text. A line with an
/// unknown type letter is rejected, as RFC 8866 §5 allows. The values of the attributes this
/// library reads (mid, group, setup, sctp-port, max-message-size, fingerprint, ice-ufrag,
/// ice-pwd, rtpmap, fmtp, rtcp-fb, extmap, ssrc, ssrc-group, msid) are checked while parsing;
/// a malformed one raises <see cref="SdpParseException"/> with its line.
/// </remarks>
public sealed class SdpSessionDescription
{
    private SdpOrigin _origin;
    private string _sessionName = "-";

    /// <summary>Creates a description with the given origin, <c>s=-</c> and no timing, attributes or media.</summary>
    /// <param name="origin">The origin line.</param>
    public SdpSessionDescription(SdpOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        _origin = origin;
    }

    /// <summary>The protocol version of the <c>v=</c> line; always 0 (RFC 8866 §5.1).</summary>
    public int Version => 0;

    /// <summary>The <c>o=</c> line.</summary>
    public SdpOrigin Origin { get => _origin; set { ArgumentNullException.ThrowIfNull(value); _origin = value; } }

    /// <summary>The <c>s=</c> session name; JSEP writes <c>-</c> (RFC 8829 §5.2.1).</summary>
    public string SessionName { get => _sessionName; set { SdpText.RequireText(value, nameof(value)); _sessionName = value; } }

    /// <summary>The <c>i=</c> session information, or null.</summary>
    public string? Information { get; set; }

    /// <summary>The <c>u=</c> URI, or null.</summary>
    public string? Uri { get; set; }

    /// <summary>The <c>e=</c> lines.</summary>
    public IList<string> Emails { get; } = new List<string>();

    /// <summary>The <c>p=</c> lines.</summary>
    public IList<string> Phones { get; } = new List<string>();

    /// <summary>The session-level <c>c=</c> line, or null.</summary>
    public SdpConnection? Connection { get; set; }

    /// <summary>The session-level <c>b=</c> lines.</summary>
    public IList<SdpBandwidth> Bandwidths { get; } = new List<SdpBandwidth>();

    /// <summary>The <c>t=</c> lines with their <c>r=</c> lines; JSEP writes one <c>t=0 0</c>.</summary>
    public IList<SdpTiming> Timings { get; } = new List<SdpTiming>();

    /// <summary>The <c>z=</c> line value, or null.</summary>
    public string? TimeZones { get; set; }

    /// <summary>The session-level <c>k=</c> line value, or null.</summary>
    public string? EncryptionKey { get; set; }

    /// <summary>The session-level attributes in order.</summary>
    public SdpAttributeList Attributes { get; } = new();

    /// <summary>The media sections in order (the m-line index is the position here).</summary>
    public IList<SdpMediaDescription> Media { get; } = new List<SdpMediaDescription>();

    /// <summary>The <c>a=group</c> values (RFC 5888 §5).</summary>
    public IReadOnlyList<SdpGroup> Groups =>
        Attributes.Where(a => a.Name == "group").Select(a => SdpGroup.TryParse(a.Value, out var g) ? g : null).OfType<SdpGroup>().ToArray();

    /// <summary>The first <c>a=group:BUNDLE</c> group (RFC 8843 §7.1), or null.</summary>
    public SdpGroup? BundleGroup => Groups.FirstOrDefault(g => g.Semantics == SdpGroup.Bundle);

    /// <summary>The session-level <c>a=ice-ufrag</c>, or null (see <see cref="GetIceUfrag"/>).</summary>
    public string? IceUfrag => Attributes.GetValue("ice-ufrag");

    /// <summary>The session-level <c>a=ice-pwd</c>, or null (see <see cref="GetIcePwd"/>).</summary>
    public string? IcePwd => Attributes.GetValue("ice-pwd");

    /// <summary>The session-level <c>a=ice-options</c> tags.</summary>
    public IReadOnlyList<string> IceOptions => SdpTransportAttributes.IceOptions(Attributes);

    /// <summary>Whether <c>a=ice-lite</c> is present; it is a session-level attribute (RFC 8839 §5.3).</summary>
    public bool IceLite => Attributes.Contains("ice-lite");

    /// <summary>The session-level <c>a=fingerprint</c> values this library can verify.</summary>
    public IReadOnlyList<RTCDtlsFingerprint> Fingerprints => SdpTransportAttributes.Fingerprints(Attributes);

    /// <summary>The session-level <c>a=setup</c>, or null.</summary>
    public DtlsSetup? Setup => SdpTransportAttributes.Setup(Attributes);

    /// <summary>Whether a session-level <c>a=end-of-candidates</c> is present (RFC 8840 §8.2).</summary>
    public bool EndOfCandidates => Attributes.Contains("end-of-candidates");

    /// <summary>The ufrag in force for a section: its own, else the session's (RFC 8839 §5.4).</summary>
    /// <param name="media">A section of this description.</param>
    /// <returns>The ufrag, or null.</returns>
    public string? GetIceUfrag(SdpMediaDescription media) => Require(media).IceUfrag ?? IceUfrag;

    /// <summary>The password in force for a section: its own, else the session's (RFC 8839 §5.4).</summary>
    /// <param name="media">A section of this description.</param>
    /// <returns>The password, or null.</returns>
    public string? GetIcePwd(SdpMediaDescription media) => Require(media).IcePwd ?? IcePwd;

    /// <summary>The ice-options in force for a section: its own when present, else the session's (RFC 8839 §5.6).</summary>
    /// <param name="media">A section of this description.</param>
    /// <returns>The option tags.</returns>
    public IReadOnlyList<string> GetIceOptions(SdpMediaDescription media) =>
        Require(media).Attributes.Contains("ice-options") ? media.IceOptions : IceOptions;

    /// <summary>The fingerprints in force for a section: its own when it has any, else the session's (RFC 8122 §5).</summary>
    /// <param name="media">A section of this description.</param>
    /// <returns>The fingerprints this library can verify.</returns>
    public IReadOnlyList<RTCDtlsFingerprint> GetFingerprints(SdpMediaDescription media) =>
        Require(media).Attributes.Contains("fingerprint") ? media.Fingerprints : Fingerprints;

    /// <summary>The raw <c>a=setup</c> value in force for a section (media level first), or null.</summary>
    /// <param name="media">A section of this description.</param>
    /// <returns>The value as written, or null.</returns>
    public string? GetSetupValue(SdpMediaDescription media) => Require(media).Attributes.GetValue("setup") ?? Attributes.GetValue("setup");

    /// <summary>Parses a session description. LF-only line endings are accepted; trailing empty lines are ignored.</summary>
    /// <param name="sdp">The description text.</param>
    /// <returns>The description.</returns>
    /// <exception cref="SdpParseException">The text breaks RFC 8866 or an attribute grammar; the message names the line.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="sdp"/> is null.</exception>
    public static SdpSessionDescription Parse(string sdp)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        return SdpParser.Parse(sdp);
    }

    /// <summary>Tries to parse a session description; never throws.</summary>
    /// <param name="sdp">The description text.</param>
    /// <param name="description">The description, or null.</param>
    /// <param name="error">What is wrong, or null.</param>
    /// <returns><see langword="true"/> when the text parsed.</returns>
    public static bool TryParse([NotNullWhen(true)] string? sdp, [NotNullWhen(true)] out SdpSessionDescription? description,
        [NotNullWhen(false)] out SdpParseException? error)
    {
        description = null;
        error = null;
        if (sdp is null) { error = new SdpParseException("the description is null"); return false; }
        try
        {
            description = SdpParser.Parse(sdp);
            return true;
        }
        catch (SdpParseException e)
        {
            error = e;
            return false;
        }
    }

    /// <summary>Writes the description in RFC 8866 §5 order, every line ending in CRLF.</summary>
    /// <returns>The description text.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder(512 + (Media.Count * 1024));
        sb.Append("v=0\r\n");
        AppendLine(sb, 'o', Origin.ToString());
        AppendLine(sb, 's', SessionName);
        AppendLine(sb, 'i', Information);
        AppendLine(sb, 'u', Uri);
        foreach (var e in Emails) { AppendLine(sb, 'e', e); }
        foreach (var p in Phones) { AppendLine(sb, 'p', p); }
        if (Connection is not null) { AppendLine(sb, 'c', Connection.ToString()); }
        foreach (var b in Bandwidths) { AppendLine(sb, 'b', b.ToString()); }
        foreach (var t in Timings)
        {
            AppendLine(sb, 't', t.ToString());
            foreach (var r in t.Repeats) { AppendLine(sb, 'r', r); }
        }
        AppendLine(sb, 'z', TimeZones);
        AppendLine(sb, 'k', EncryptionKey);
        foreach (var a in Attributes) { AppendLine(sb, 'a', a.ToString()); }
        foreach (var m in Media) { m.WriteTo(sb); }
        return sb.ToString();
    }

    internal static void AppendLine(StringBuilder sb, char type, string? value)
    {
        if (value is null) { return; }
        if (!SdpAttribute.IsValidText(value)) { throw new InvalidOperationException($"The {type}= line value holds CR, LF or NUL."); }
        sb.Append(type).Append('=').Append(value).Append("\r\n");
    }

    private SdpMediaDescription Require(SdpMediaDescription media)
    {
        ArgumentNullException.ThrowIfNull(media);
        return media;
    }
}
