using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace WebRtc.Client.Sdp;

/// <summary>The direction attribute of a media section (RFC 8866 §6.7, RFC 3264 §5.1).</summary>
public enum SdpDirection
{
    /// <summary><c>a=sendrecv</c>, the default.</summary>
    SendRecv,

    /// <summary><c>a=sendonly</c>.</summary>
    SendOnly,

    /// <summary><c>a=recvonly</c>.</summary>
    RecvOnly,

    /// <summary><c>a=inactive</c>.</summary>
    Inactive,
}

/// <summary>An <c>a=rtpmap:&lt;pt&gt; &lt;encoding&gt;/&lt;clock rate&gt;[/&lt;channels&gt;]</c> value (RFC 8866 §6.6).</summary>
/// <param name="PayloadType">The payload type, 0 to 127.</param>
/// <param name="EncodingName">The encoding name as written (<c>opus</c>, <c>VP8</c>, <c>rtx</c> ...).</param>
/// <param name="ClockRate">The clock rate in Hz.</param>
/// <param name="Channels">The encoding parameters (audio channels), or null.</param>
public sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int? Channels = null)
{
    /// <summary>Parses an rtpmap value; never throws.</summary>
    /// <param name="value">The value after <c>a=rtpmap:</c>.</param>
    /// <param name="rtpMap">The parsed value, or null.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpRtpMap? rtpMap)
    {
        rtpMap = null;
        if (value is null || !SdpValueParser.SplitFirst(value, out var ptText, out var rest)) { return false; }
        if (!SdpValueParser.TryParsePayloadType(ptText, out var pt)) { return false; }
        var parts = rest.Split('/');
        if (parts.Length is < 2 or > 3 || !SdpText.IsField(parts[0]) || !SdpText.TryParseInt(parts[1], out var clock) || clock == 0) { return false; }
        int? channels = null;
        if (parts.Length == 3)
        {
            if (!SdpText.TryParseInt(parts[2], out var ch) || ch == 0) { return false; }
            channels = ch;
        }
        rtpMap = new SdpRtpMap(pt, parts[0], clock, channels);
        return true;
    }

    /// <summary>The attribute value.</summary>
    /// <returns><c>111 opus/48000/2</c>.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {EncodingName}/{ClockRate}") + (Channels is { } c ? "/" + c.ToString(CultureInfo.InvariantCulture) : string.Empty);
}

/// <summary>An <c>a=fmtp:&lt;format&gt; &lt;parameters&gt;</c> value (RFC 8866 §6.15).</summary>
/// <param name="Format">The format (an RTP payload type as text, or another m-line format).</param>
/// <param name="Parameters">The format parameters as written (<c>minptime=10;useinbandfec=1</c>).</param>
public sealed record SdpFmtp(string Format, string Parameters)
{
    /// <summary>Parses an fmtp value; never throws.</summary>
    /// <param name="value">The value after <c>a=fmtp:</c>.</param>
    /// <param name="fmtp">The parsed value, or null.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpFmtp? fmtp)
    {
        fmtp = null;
        if (value is null || !SdpValueParser.SplitFirst(value, out var format, out var rest)) { return false; }
        fmtp = new SdpFmtp(format, rest);
        return true;
    }

    /// <summary>
    /// The parameters as <c>name=value</c> pairs split on <c>;</c> (names lowercased and trimmed); a
    /// parameter without <c>=</c> (telephone-event's <c>0-15</c>) has an empty name.
    /// </summary>
    /// <returns>The parameters in order.</returns>
    public IReadOnlyList<KeyValuePair<string, string>> GetParameters()
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var part in Parameters.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            list.Add(eq < 0 ? new(string.Empty, part) : new(part[..eq].Trim().ToLowerInvariant(), part[(eq + 1)..].Trim()));
        }
        return list;
    }

    /// <summary>The attribute value.</summary>
    /// <returns><c>111 minptime=10;useinbandfec=1</c>.</returns>
    public override string ToString() => Format + " " + Parameters;
}

/// <summary>An <c>a=rtcp-fb:&lt;pt|*&gt; &lt;type&gt; [&lt;parameter&gt;]</c> value (RFC 4585 §4.2).</summary>
/// <param name="PayloadType">The payload type as text, or <c>*</c> for every format.</param>
/// <param name="Type">The feedback type (<c>nack</c>, <c>ccm</c>, <c>goog-remb</c>, <c>transport-cc</c> ...).</param>
/// <param name="Parameter">The rest (<c>pli</c>, <c>fir</c>), or null.</param>
public sealed record SdpRtcpFeedback(string PayloadType, string Type, string? Parameter = null)
{
    /// <summary>Parses an rtcp-fb value; never throws.</summary>
    /// <param name="value">The value after <c>a=rtcp-fb:</c>.</param>
    /// <param name="feedback">The parsed value, or null.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpRtcpFeedback? feedback)
    {
        feedback = null;
        if (value is null || !SdpValueParser.SplitFirst(value, out var pt, out var rest)) { return false; }
        if (pt != "*" && !SdpValueParser.TryParsePayloadType(pt, out _)) { return false; }
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        var type = space < 0 ? rest : rest[..space];
        var parameter = space < 0 ? null : rest[(space + 1)..];
        if (!SdpText.IsField(type) || parameter is { Length: 0 }) { return false; }
        feedback = new SdpRtcpFeedback(pt, type, parameter);
        return true;
    }

    /// <summary>The attribute value.</summary>
    /// <returns><c>96 nack pli</c>.</returns>
    public override string ToString() => PayloadType + " " + Type + (Parameter is null ? string.Empty : " " + Parameter);
}

/// <summary>An <c>a=extmap:&lt;id&gt;[/&lt;direction&gt;] &lt;uri&gt; [&lt;attributes&gt;]</c> value (RFC 8285 §7).</summary>
/// <param name="Id">The extension id: 1 to 255, or 4096 to 4351 in offers.</param>
/// <param name="Direction">The direction after the slash, or null.</param>
/// <param name="Uri">The extension URI (see <c>WebRtc.Client.Rtp.RtpHeaderExtensions</c>).</param>
/// <param name="Attributes">The extension attributes after the URI, or null.</param>
public sealed record SdpExtMap(int Id, SdpDirection? Direction, string Uri, string? Attributes = null)
{
    /// <summary>Parses an extmap value; never throws.</summary>
    /// <param name="value">The value after <c>a=extmap:</c>.</param>
    /// <param name="extMap">The parsed value, or null.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpExtMap? extMap)
    {
        extMap = null;
        if (value is null || !SdpValueParser.SplitFirst(value, out var idText, out var rest)) { return false; }
        SdpDirection? direction = null;
        var slash = idText.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (SdpValueParser.ParseDirection(idText[(slash + 1)..]) is not { } d) { return false; }
            direction = d;
            idText = idText[..slash];
        }
        // RFC 8285 §7: 1-14 one-byte, 1-255 two-byte, 4096-4351 for an offerer's choice.
        if (!SdpText.TryParseInt(idText, out var id) || id is < 1 or (> 255 and < 4096) or > 4351) { return false; }
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        var uri = space < 0 ? rest : rest[..space];
        if (!SdpText.IsField(uri)) { return false; }
        extMap = new SdpExtMap(id, direction, uri, space < 0 ? null : rest[(space + 1)..]);
        return true;
    }

    /// <summary>The attribute value.</summary>
    /// <returns><c>4 urn:ietf:params:rtp-hdrext:sdes:mid</c>.</returns>
    public override string ToString() =>
        Id.ToString(CultureInfo.InvariantCulture) + (Direction is { } d ? "/" + SdpValueParser.DirectionName(d) : string.Empty) + " " + Uri
        + (Attributes is null ? string.Empty : " " + Attributes);
}

/// <summary>An <c>a=ssrc:&lt;ssrc&gt; &lt;attribute&gt;[:&lt;value&gt;]</c> value (RFC 5576 §4.1).</summary>
/// <param name="Ssrc">The synchronization source.</param>
/// <param name="Attribute">The source attribute name (<c>cname</c>, <c>msid</c> ...).</param>
/// <param name="Value">The source attribute value, or null.</param>
public sealed record SdpSsrc(uint Ssrc, string Attribute, string? Value = null)
{
    /// <summary>Parses an ssrc value; never throws.</summary>
    /// <param name="value">The value after <c>a=ssrc:</c>.</param>
    /// <param name="ssrc">The parsed value, or null.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpSsrc? ssrc)
    {
        ssrc = null;
        if (value is null || !SdpValueParser.SplitFirst(value, out var idText, out var rest)) { return false; }
        if (!SdpText.IsDigits(idText) || !uint.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) { return false; }
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? rest : rest[..colon];
        if (!SdpAttribute.IsValidName(name)) { return false; }
        ssrc = new SdpSsrc(id, name, colon < 0 ? null : rest[(colon + 1)..]);
        return true;
    }

    /// <summary>The attribute value.</summary>
    /// <returns><c>1234 cname:abc</c>.</returns>
    public override string ToString() => Ssrc.ToString(CultureInfo.InvariantCulture) + " " + Attribute + (Value is null ? string.Empty : ":" + Value);
}

/// <summary>An <c>a=ssrc-group:&lt;semantics&gt; &lt;ssrc&gt;...</c> value (RFC 5576 §4.2), for example <c>FID 1 2</c>.</summary>
/// <param name="Semantics">The semantics (<c>FID</c>, <c>SIM</c>, <c>FEC-FR</c>).</param>
/// <param name="Ssrcs">The sources, in order.</param>
public sealed record SdpSsrcGroup(string Semantics, IReadOnlyList<uint> Ssrcs)
{
    /// <summary>Parses an ssrc-group value; never throws.</summary>
    /// <param name="value">The value after <c>a=ssrc-group:</c>.</param>
    /// <param name="group">The parsed value, or null.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpSsrcGroup? group)
    {
        group = null;
        if (value is null) { return false; }
        var f = value.Split(' ');
        if (!SdpText.IsField(f[0])) { return false; }
        var ssrcs = new uint[f.Length - 1];
        for (var i = 1; i < f.Length; i++)
        {
            if (!SdpText.IsDigits(f[i]) || !uint.TryParse(f[i], NumberStyles.None, CultureInfo.InvariantCulture, out ssrcs[i - 1])) { return false; }
        }
        group = new SdpSsrcGroup(f[0], ssrcs);
        return true;
    }

    /// <summary>The attribute value.</summary>
    /// <returns><c>FID 1 2</c>.</returns>
    public override string ToString() => Semantics + string.Concat(Ssrcs.Select(s => " " + s.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>An <c>a=msid:&lt;stream id&gt; [&lt;track id&gt;]</c> value (RFC 8830 §2).</summary>
/// <param name="StreamId">The media stream id; <c>-</c> for none.</param>
/// <param name="TrackId">The track id (appdata), or null.</param>
public sealed record SdpMsid(string StreamId, string? TrackId = null)
{
    /// <summary>Parses an msid value; never throws.</summary>
    /// <param name="value">The value after <c>a=msid:</c>.</param>
    /// <param name="msid">The parsed value, or null.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpMsid? msid)
    {
        msid = null;
        if (value is null) { return false; }
        var f = value.Split(' ');
        if (f.Length > 2 || !Array.TrueForAll(f, s => SdpText.IsField(s))) { return false; }
        msid = new SdpMsid(f[0], f.Length == 2 ? f[1] : null);
        return true;
    }

    /// <summary>The attribute value.</summary>
    /// <returns><c>stream track</c>.</returns>
    public override string ToString() => TrackId is null ? StreamId : StreamId + " " + TrackId;
}

/// <summary>An <c>a=group:&lt;semantics&gt; &lt;mid&gt;...</c> value (RFC 5888 §5), for example <c>BUNDLE 0 1 2</c>.</summary>
/// <param name="Semantics">The semantics (<c>BUNDLE</c>, <c>LS</c> ...).</param>
/// <param name="Mids">The identification tags, in order.</param>
public sealed record SdpGroup(string Semantics, IReadOnlyList<string> Mids)
{
    /// <summary>The BUNDLE semantics (RFC 8843 §7.1).</summary>
    public const string Bundle = "BUNDLE";

    /// <summary>Parses a group value; never throws.</summary>
    /// <param name="value">The value after <c>a=group:</c>.</param>
    /// <param name="group">The parsed value, or null.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpGroup? group)
    {
        group = null;
        if (value is null) { return false; }
        var f = value.Split(' ');
        if (!Array.TrueForAll(f, s => SdpText.IsField(s))) { return false; }
        group = new SdpGroup(f[0], f[1..]);
        return true;
    }

    /// <summary>The attribute value.</summary>
    /// <returns><c>BUNDLE 0 1</c>.</returns>
    public override string ToString() => Mids.Count == 0 ? Semantics : Semantics + " " + string.Join(' ', Mids);
}

/// <summary>
/// An <c>a=sctpmap:&lt;sctp port&gt; &lt;app&gt; [&lt;streams&gt;]</c> value: the data-channel attribute of
/// draft-ietf-mmusic-sctp-sdp before version 07, which RFC 8841 replaced with <c>a=sctp-port</c> and
/// <c>a=max-message-size</c>. Stacks of that time wrote <c>a=sctpmap:5000 webrtc-datachannel 1024</c>.
/// </summary>
/// <remarks>
/// The bare number after the application is the stream count, not a message size: libwebrtc's
/// <c>webrtc_sdp.cc</c> writes it as <c>kMaxSctpStreams</c> under the comment
/// "draft-ietf-mmusic-sctp-sdp-04: a=sctpmap:sctpmap-number protocol [streams]", and has ignored the
/// line when parsing since 2020 ("sdp: ignore legacy sctpmap line"). Only draft 06 named the fields,
/// <c>max-message-size=N</c> and <c>streams=N</c> (the grammar Firefox's SdpAttribute.h quotes); both
/// spellings are read here.
/// </remarks>
/// <param name="Number">The SCTP port, which is also the m-line format.</param>
/// <param name="App">The application on the association, <c>webrtc-datachannel</c> for WebRTC.</param>
/// <param name="Streams">The stream count, or null.</param>
/// <param name="MaxMessageSize">The draft-06 <c>max-message-size=N</c>, or null.</param>
public sealed record SdpSctpMap(int Number, string App, int? Streams = null, long? MaxMessageSize = null)
{
    /// <summary>
    /// Parses an sctpmap value; never throws. Fields after the application that are neither a number
    /// nor <c>streams=</c>/<c>max-message-size=</c> are ignored, as libwebrtc ignores the whole line.
    /// </summary>
    /// <param name="value">The value after <c>a=sctpmap:</c>.</param>
    /// <param name="sctpMap">The parsed value, or null.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpSctpMap? sctpMap)
    {
        sctpMap = null;
        if (value is null) { return false; }
        var f = value.Split(' ');
        if (f.Length < 2 || !SdpText.TryParseInt(f[0], out var number) || number > 65535 || !SdpValueParser.IsToken(f[1])) { return false; }
        int? streams = null;
        long? maxMessageSize = null;
        foreach (var field in f.AsSpan(2))
        {
            if (SdpText.TryParseInt(field, out var n) || (field.StartsWith("streams=", StringComparison.Ordinal) && SdpText.TryParseInt(field.AsSpan(8), out n)))
            {
                streams = n;
            }
            else if (field.StartsWith("max-message-size=", StringComparison.Ordinal) && SdpText.TryParseLong(field.AsSpan(17), out var size))
            {
                maxMessageSize = size;
            }
        }
        sctpMap = new SdpSctpMap(number, f[1], streams, maxMessageSize);
        return true;
    }

    /// <summary>
    /// The attribute value: the stream count as a bare number, as libwebrtc writes it; with a
    /// max-message-size, both fields named as draft 06 spells them.
    /// </summary>
    /// <returns><c>5000 webrtc-datachannel 1024</c>.</returns>
    public override string ToString()
    {
        var text = Number.ToString(CultureInfo.InvariantCulture) + " " + App;
        if (MaxMessageSize is { } m) { text += " max-message-size=" + m.ToString(CultureInfo.InvariantCulture); }
        if (Streams is { } s) { text += (MaxMessageSize is null ? " " : " streams=") + s.ToString(CultureInfo.InvariantCulture); }
        return text;
    }
}

// Shared pieces of the attribute grammars.
internal static class SdpValueParser
{
    // Splits "first rest" at the first space; both parts must be non-empty and the first a field.
    public static bool SplitFirst(string value, out string first, out string rest)
    {
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        first = space < 0 ? value : value[..space];
        rest = space < 0 ? string.Empty : value[(space + 1)..];
        return space > 0 && rest.Length > 0 && SdpText.IsField(first);
    }

    public static bool TryParsePayloadType(string text, out int pt) => SdpText.TryParseInt(text, out pt) && pt <= 127;

    public static SdpDirection? ParseDirection(string name) => name switch
    {
        "sendrecv" => SdpDirection.SendRecv,
        "sendonly" => SdpDirection.SendOnly,
        "recvonly" => SdpDirection.RecvOnly,
        "inactive" => SdpDirection.Inactive,
        _ => null,
    };

    public static string DirectionName(SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => "sendonly",
        SdpDirection.RecvOnly => "recvonly",
        SdpDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    // RFC 5888 §4: identification-tag = token (RFC 8866 token-char).
    public static bool IsToken(string? s) => s is not null && SdpAttribute.IsValidName(s);
}
