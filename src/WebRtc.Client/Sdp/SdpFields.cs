using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace WebRtc.Client.Sdp;

/// <summary>The origin line <c>o=&lt;username&gt; &lt;sess-id&gt; &lt;sess-version&gt; &lt;nettype&gt; &lt;addrtype&gt; &lt;unicast-address&gt;</c> (RFC 8866 §5.2).</summary>
public sealed record SdpOrigin
{
    /// <summary>Creates an origin; every field is a non-empty token without spaces, and the ids are decimal digits.</summary>
    /// <param name="username">The user name; <c>-</c> in JSEP (RFC 8829 §5.2.1).</param>
    /// <param name="sessionId">The session id: decimal digits.</param>
    /// <param name="sessionVersion">The session version: decimal digits.</param>
    /// <param name="networkType">The network type, <c>IN</c>.</param>
    /// <param name="addressType">The address type, <c>IP4</c> or <c>IP6</c>.</param>
    /// <param name="address">The unicast address; JSEP uses a non-meaningful one such as <c>127.0.0.1</c> or <c>0.0.0.0</c>.</param>
    /// <exception cref="ArgumentException">A field is empty, holds whitespace or a control character, or an id is not decimal digits.</exception>
    public SdpOrigin(string username, string sessionId, string sessionVersion, string networkType, string addressType, string address)
    {
        SdpText.RequireField(username, nameof(username));
        if (!SdpText.IsDigits(sessionId)) { throw new ArgumentException("The session id must be decimal digits (RFC 8866 §5.2).", nameof(sessionId)); }
        if (!SdpText.IsDigits(sessionVersion)) { throw new ArgumentException("The session version must be decimal digits (RFC 8866 §5.2).", nameof(sessionVersion)); }
        SdpText.RequireField(networkType, nameof(networkType));
        SdpText.RequireField(addressType, nameof(addressType));
        SdpText.RequireField(address, nameof(address));
        Username = username;
        SessionId = sessionId;
        SessionVersion = sessionVersion;
        NetworkType = networkType;
        AddressType = addressType;
        Address = address;
    }

    /// <summary>Creates a JSEP origin: <c>o=- &lt;id&gt; &lt;version&gt; IN IP4 127.0.0.1</c>, as Chromium writes it.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="sessionVersion">The session version.</param>
    /// <returns>The origin.</returns>
    public static SdpOrigin Create(ulong sessionId, ulong sessionVersion) =>
        new("-", sessionId.ToString(CultureInfo.InvariantCulture), sessionVersion.ToString(CultureInfo.InvariantCulture), "IN", "IP4", "127.0.0.1");

    /// <summary>The user name.</summary>
    public string Username { get; }

    /// <summary>The session id, decimal digits as written.</summary>
    public string SessionId { get; }

    /// <summary>The session version, decimal digits as written.</summary>
    public string SessionVersion { get; }

    /// <summary>The network type (<c>IN</c>).</summary>
    public string NetworkType { get; }

    /// <summary>The address type (<c>IP4</c>, <c>IP6</c>).</summary>
    public string AddressType { get; }

    /// <summary>The unicast address.</summary>
    public string Address { get; }

    /// <summary>The session version as a number, or null when it does not fit 64 bits.</summary>
    public ulong? SessionVersionNumber => ulong.TryParse(SessionVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    internal static bool TryParse(string value, [NotNullWhen(true)] out SdpOrigin? origin, [NotNullWhen(false)] out string? error)
    {
        origin = null;
        var f = value.Split(' ');
        if (f.Length != 6 || !Array.TrueForAll(f, s => SdpText.IsField(s))) { error = "o= needs six space-separated fields"; return false; }
        if (!SdpText.IsDigits(f[1]) || !SdpText.IsDigits(f[2])) { error = "o= session id and version must be decimal digits"; return false; }
        origin = new SdpOrigin(f[0], f[1], f[2], f[3], f[4], f[5]);
        error = null;
        return true;
    }

    /// <summary>The line value without <c>o=</c>.</summary>
    /// <returns>The value.</returns>
    public override string ToString() => $"{Username} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}";
}

/// <summary>A connection line <c>c=&lt;nettype&gt; &lt;addrtype&gt; &lt;connection-address&gt;</c> (RFC 8866 §5.7).</summary>
public sealed record SdpConnection
{
    /// <summary>The JSEP placeholder <c>IN IP4 0.0.0.0</c> (RFC 8829 §5.2.1).</summary>
    public static SdpConnection Placeholder { get; } = new("IN", "IP4", "0.0.0.0");

    /// <summary>Creates a connection line.</summary>
    /// <param name="networkType">The network type, <c>IN</c>.</param>
    /// <param name="addressType">The address type, <c>IP4</c> or <c>IP6</c>.</param>
    /// <param name="address">The address (with <c>/ttl</c> or <c>/count</c> for multicast, as written).</param>
    /// <exception cref="ArgumentException">A field is empty or holds whitespace or a control character.</exception>
    public SdpConnection(string networkType, string addressType, string address)
    {
        SdpText.RequireField(networkType, nameof(networkType));
        SdpText.RequireField(addressType, nameof(addressType));
        SdpText.RequireField(address, nameof(address));
        NetworkType = networkType;
        AddressType = addressType;
        Address = address;
    }

    /// <summary>The network type.</summary>
    public string NetworkType { get; }

    /// <summary>The address type.</summary>
    public string AddressType { get; }

    /// <summary>The address.</summary>
    public string Address { get; }

    internal static bool TryParse(string value, [NotNullWhen(true)] out SdpConnection? connection, [NotNullWhen(false)] out string? error)
    {
        connection = null;
        var f = value.Split(' ');
        if (f.Length != 3 || !Array.TrueForAll(f, s => SdpText.IsField(s))) { error = "c= needs three space-separated fields"; return false; }
        connection = new SdpConnection(f[0], f[1], f[2]);
        error = null;
        return true;
    }

    /// <summary>The line value without <c>c=</c>.</summary>
    /// <returns>The value.</returns>
    public override string ToString() => $"{NetworkType} {AddressType} {Address}";
}

/// <summary>A bandwidth line <c>b=&lt;bwtype&gt;:&lt;bandwidth&gt;</c> (RFC 8866 §5.8), for example <c>b=AS:30</c>.</summary>
public sealed record SdpBandwidth
{
    /// <summary>Creates a bandwidth line.</summary>
    /// <param name="type">The bandwidth type (<c>AS</c>, <c>CT</c>, <c>TIAS</c> ...).</param>
    /// <param name="value">The bandwidth, non-negative.</param>
    /// <exception cref="ArgumentException">The type is not a token or the value is negative.</exception>
    public SdpBandwidth(string type, long value)
    {
        if (!SdpAttribute.IsValidName(type)) { throw new ArgumentException("The bandwidth type must be a token.", nameof(type)); }
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        Type = type;
        Value = value;
    }

    /// <summary>The bandwidth type.</summary>
    public string Type { get; }

    /// <summary>The bandwidth (kbit/s for AS and CT, bit/s for TIAS).</summary>
    public long Value { get; }

    internal static bool TryParse(string value, [NotNullWhen(true)] out SdpBandwidth? bandwidth, [NotNullWhen(false)] out string? error)
    {
        bandwidth = null;
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !SdpAttribute.IsValidName(value.AsSpan(0, colon))) { error = "b= needs <type>:<bandwidth>"; return false; }
        if (!SdpText.TryParseLong(value.AsSpan(colon + 1), out var bw)) { error = "b= bandwidth must be decimal digits"; return false; }
        bandwidth = new SdpBandwidth(value[..colon], bw);
        error = null;
        return true;
    }

    /// <summary>The line value without <c>b=</c>.</summary>
    /// <returns>The value.</returns>
    public override string ToString() => Type + ":" + Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A timing line <c>t=&lt;start-time&gt; &lt;stop-time&gt;</c> with its repeat lines <c>r=</c> (RFC 8866 §5.9, §5.10).</summary>
public sealed class SdpTiming
{
    /// <summary>Creates a timing line; JSEP uses <c>t=0 0</c> (RFC 8829 §5.2.1).</summary>
    /// <param name="start">The start time (NTP seconds, 0 for unbounded).</param>
    /// <param name="stop">The stop time (NTP seconds, 0 for unbounded).</param>
    public SdpTiming(ulong start = 0, ulong stop = 0)
    {
        Start = start;
        Stop = stop;
    }

    /// <summary>The start time.</summary>
    public ulong Start { get; }

    /// <summary>The stop time.</summary>
    public ulong Stop { get; }

    /// <summary>The values of the <c>r=</c> lines that follow, as written.</summary>
    public IList<string> Repeats { get; } = new List<string>();

    internal static bool TryParse(string value, [NotNullWhen(true)] out SdpTiming? timing, [NotNullWhen(false)] out string? error)
    {
        timing = null;
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0 || !SdpText.TryParseULong(value.AsSpan(0, space), out var start) || !SdpText.TryParseULong(value.AsSpan(space + 1), out var stop))
        {
            error = "t= needs two decimal times";
            return false;
        }
        timing = new SdpTiming(start, stop);
        error = null;
        return true;
    }

    /// <summary>The line value without <c>t=</c>.</summary>
    /// <returns>The value.</returns>
    public override string ToString() => Start.ToString(CultureInfo.InvariantCulture) + " " + Stop.ToString(CultureInfo.InvariantCulture);
}

// Small lexical helpers shared by the SDP types.
internal static class SdpText
{
    public static bool IsDigits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) { return false; }
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c)) { return false; }
        }
        return true;
    }

    public static bool TryParseULong(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        return IsDigits(s) && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseLong(ReadOnlySpan<char> s, out long value)
    {
        value = 0;
        return IsDigits(s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseInt(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        return IsDigits(s) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    // A field of a space-separated line: non-empty, no whitespace or control characters.
    public static bool IsField(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) { return false; }
        foreach (var c in s)
        {
            if (c <= ' ' || c == '\u007f') { return false; }
        }
        return true;
    }

    public static void RequireField(string? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (!IsField(value)) { throw new ArgumentException("An SDP field must be non-empty and hold no whitespace or control character.", paramName); }
    }

    public static void RequireText(string? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (!SdpAttribute.IsValidText(value)) { throw new ArgumentException("SDP text must not contain CR, LF or NUL.", paramName); }
    }
}
