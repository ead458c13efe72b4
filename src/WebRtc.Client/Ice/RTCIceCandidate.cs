using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Serialization;

namespace WebRtc.Client.Ice;

/// <summary>
/// An ICE candidate (W3C webrtc-pc §4.8.1 <c>RTCIceCandidate</c>), immutable. It reads and writes
/// the SDP candidate attribute of RFC 8839 §5.1:
/// <c>candidate:&lt;foundation&gt; &lt;component&gt; &lt;transport&gt; &lt;priority&gt; &lt;address&gt; &lt;port&gt; typ &lt;type&gt; [raddr &lt;a&gt;] [rport &lt;p&gt;] *(&lt;name&gt; &lt;value&gt;)</c>.
/// </summary>
/// <remarks>
/// Parsing never throws anything but <see cref="FormatException"/> (from <see cref="Parse"/>);
/// <see cref="TryParse(string?, out RTCIceCandidate?, out string?)"/> never throws on any input.
/// Unknown extensions are kept, in order, and written back. A parsed candidate writes its
/// extensions in the order they were read; a constructed one writes them in the order
/// raddr, rport, tcptype, generation, ufrag, network-id, network-cost, then <see cref="Extensions"/>.
/// Two candidates are equal when all their properties are.
/// </remarks>
public sealed class RTCIceCandidate : IEquatable<RTCIceCandidate>
{
    /// <summary>The longest candidate string accepted; real ones are about 150 characters.</summary>
    public const int MaxCandidateLength = 4096;

    private const string Prefix = "candidate:";
    // Extension names of RFC 8839 / RFC 6544 are ABNF literals (case-insensitive);
    // libwebrtc's own extensions are matched exactly, as libwebrtc does.
    private const string RaddrName = "raddr", RportName = "rport", TcpTypeName = "tcptype";
    private const string GenerationName = "generation", UfragName = "ufrag", NetworkIdName = "network-id", NetworkCostName = "network-cost";

    private static readonly string[] CanonicalOrder = [RaddrName, RportName, TcpTypeName, GenerationName, UfragName, NetworkIdName, NetworkCostName];

    private readonly KeyValuePair<string, string>[] _extensions;
    // Names (known ones normalized, unknown ones as read) in the order of the parsed string; null when constructed.
    private readonly string[]? _parsedOrder;
    private string? _candidate;

    /// <summary>Creates a candidate from its fields, for example a local candidate the agent gathered.</summary>
    /// <param name="foundation">The foundation: 1 to 32 ice-chars (see <see cref="IceFoundation"/>).</param>
    /// <param name="componentId">The component id, 1 to 256 (1 = RTP, 2 = RTCP).</param>
    /// <param name="protocol">The transport protocol.</param>
    /// <param name="priority">The priority (see <see cref="IcePriority"/>).</param>
    /// <param name="address">An IPv4/IPv6 literal or a host name such as an mDNS <c>xxx.local</c> name.</param>
    /// <param name="port">The port, 0 to 65535.</param>
    /// <param name="type">The candidate type.</param>
    /// <param name="relatedAddress">The related address (<c>raddr</c>), or null.</param>
    /// <param name="relatedPort">The related port (<c>rport</c>), 0 to 65535, or null.</param>
    /// <param name="tcpType">The TCP candidate type; only for <see cref="RTCIceProtocol.Tcp"/>.</param>
    /// <param name="generation">The <c>generation</c> extension, non-negative, or null.</param>
    /// <param name="usernameFragment">The ICE ufrag this candidate belongs to (written as the <c>ufrag</c> extension), or null.</param>
    /// <param name="networkId">The <c>network-id</c> extension, non-negative, or null.</param>
    /// <param name="networkCost">The <c>network-cost</c> extension, non-negative, or null.</param>
    /// <param name="sdpMid">The media stream identification tag of the m-line, or null.</param>
    /// <param name="sdpMLineIndex">The zero-based m-line index, 0 to 65535, or null.</param>
    /// <param name="extensions">Further <c>name value</c> extensions, written in this order; names must not be the ones above.</param>
    /// <exception cref="ArgumentException">A field breaks the grammar of RFC 8839 §5.1.</exception>
    public RTCIceCandidate(
        string foundation, int componentId, RTCIceProtocol protocol, uint priority, string address, int port, RTCIceCandidateType type,
        string? relatedAddress = null, int? relatedPort = null, RTCIceTcpCandidateType? tcpType = null, int? generation = null,
        string? usernameFragment = null, int? networkId = null, int? networkCost = null, string? sdpMid = null, int? sdpMLineIndex = null,
        IEnumerable<KeyValuePair<string, string>>? extensions = null)
    {
        Check(CheckFoundation(foundation), nameof(foundation));
        Check(componentId is >= 1 and <= 256 ? null : $"component id {componentId} is out of range (1-256)", nameof(componentId));
        Check(IceCandidateTokens.IsDefined(protocol) ? null : $"protocol {protocol} is not defined", nameof(protocol));
        Check(CheckAddress("address", address), nameof(address));
        Check(port is >= 0 and <= 65535 ? null : $"port {port} is out of range (0-65535)", nameof(port));
        Check(IceCandidateTokens.IsDefined(type) ? null : $"type {type} is not defined", nameof(type));
        Check(relatedAddress is null ? null : CheckAddress("related address", relatedAddress), nameof(relatedAddress));
        Check(relatedPort is null or (>= 0 and <= 65535) ? null : $"related port {relatedPort} is out of range (0-65535)", nameof(relatedPort));
        Check(tcpType is null || IceCandidateTokens.IsDefined(tcpType) ? null : $"TCP type {tcpType} is not defined", nameof(tcpType));
        Check(tcpType is null || protocol == RTCIceProtocol.Tcp ? null : "a TCP type is only valid on a TCP candidate", nameof(tcpType));
        Check(generation is null or >= 0 ? null : "generation must not be negative", nameof(generation));
        Check(usernameFragment is null ? null : CheckToken("ufrag", usernameFragment), nameof(usernameFragment));
        Check(networkId is null or >= 0 ? null : "network id must not be negative", nameof(networkId));
        Check(networkCost is null or >= 0 ? null : "network cost must not be negative", nameof(networkCost));
        Check(sdpMLineIndex is null or (>= 0 and <= 65535) ? null : $"m-line index {sdpMLineIndex} is out of range (0-65535)", nameof(sdpMLineIndex));
        var list = extensions?.ToArray() ?? [];
        foreach (var (name, value) in list)
        {
            Check(CheckToken("extension name", name) ?? CheckToken($"value of extension '{name}'", value), nameof(extensions));
            Check(KnownName(name) is null ? null : $"extension '{name}' has its own parameter", nameof(extensions));
        }

        Foundation = foundation;
        ComponentId = componentId;
        Protocol = protocol;
        Priority = priority;
        Address = address;
        Port = port;
        Type = type;
        RelatedAddress = relatedAddress;
        RelatedPort = relatedPort;
        TcpType = tcpType;
        Generation = generation;
        UsernameFragment = usernameFragment;
        NetworkId = networkId;
        NetworkCost = networkCost;
        SdpMid = sdpMid;
        SdpMLineIndex = sdpMLineIndex;
        _extensions = list;
        IPAddress = ParseIPLiteral(address);
    }

    // Copies a validated candidate, optionally with a parse order and another m-line location.
    private RTCIceCandidate(RTCIceCandidate source, string[]? parsedOrder, string? sdpMid, int? sdpMLineIndex)
    {
        Foundation = source.Foundation;
        ComponentId = source.ComponentId;
        Protocol = source.Protocol;
        Priority = source.Priority;
        Address = source.Address;
        Port = source.Port;
        Type = source.Type;
        RelatedAddress = source.RelatedAddress;
        RelatedPort = source.RelatedPort;
        TcpType = source.TcpType;
        Generation = source.Generation;
        UsernameFragment = source.UsernameFragment;
        NetworkId = source.NetworkId;
        NetworkCost = source.NetworkCost;
        SdpMid = sdpMid;
        SdpMLineIndex = sdpMLineIndex;
        _extensions = source._extensions;
        IPAddress = source.IPAddress;
        _parsedOrder = parsedOrder;
    }

    /// <summary>The foundation: candidates with the same one share type, base, protocol and server.</summary>
    public string Foundation { get; }

    /// <summary>
    /// The component. Component ids other than 1 and 2 show as undefined enum values whose
    /// number is <see cref="ComponentId"/>.
    /// </summary>
    public RTCIceComponent Component => (RTCIceComponent)ComponentId;

    /// <summary>The numeric component id, 1 to 256.</summary>
    public int ComponentId { get; }

    /// <summary>The priority.</summary>
    public uint Priority { get; }

    /// <summary>The connection address as written: an IPv4/IPv6 literal or a host name (such as an mDNS <c>xxx.local</c> name).</summary>
    public string Address { get; }

    /// <summary>The address parsed as an IP literal, or null when <see cref="Address"/> is a host name.</summary>
    public IPAddress? IPAddress { get; }

    /// <summary>Whether <see cref="Address"/> is an mDNS host name (ends with <c>.local</c>) that must be resolved before use.</summary>
    public bool IsMdnsHostName => IPAddress is null && Address.EndsWith(".local", StringComparison.OrdinalIgnoreCase);

    /// <summary>The transport protocol.</summary>
    public RTCIceProtocol Protocol { get; }

    /// <summary>The port, 0 to 65535 (TCP active candidates use 9, RFC 6544 §4.5).</summary>
    public int Port { get; }

    /// <summary>The candidate type.</summary>
    public RTCIceCandidateType Type { get; }

    /// <summary>The TCP candidate type, or null (always null for UDP).</summary>
    public RTCIceTcpCandidateType? TcpType { get; }

    /// <summary>The related address (<c>raddr</c>): the base or mapped address of a reflexive or relayed candidate, or null.</summary>
    public string? RelatedAddress { get; }

    /// <summary>The related port (<c>rport</c>), or null.</summary>
    public int? RelatedPort { get; }

    /// <summary>The <c>generation</c> extension (libwebrtc), or null.</summary>
    public int? Generation { get; }

    /// <summary>The ICE username fragment: the <c>ufrag</c> extension when present, else the one given beside the string, else null.</summary>
    public string? UsernameFragment { get; }

    /// <summary>The <c>network-id</c> extension (libwebrtc), or null.</summary>
    public int? NetworkId { get; }

    /// <summary>The <c>network-cost</c> extension (libwebrtc), or null.</summary>
    public int? NetworkCost { get; }

    /// <summary>The media stream identification tag of the m-line this candidate belongs to, or null.</summary>
    public string? SdpMid { get; }

    /// <summary>The zero-based index of the m-line this candidate belongs to, or null.</summary>
    public int? SdpMLineIndex { get; }

    /// <summary>The other <c>name value</c> extensions, in order, written back unchanged.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions => _extensions;

    /// <summary>The candidate attribute (W3C <c>candidate</c>); the same as <see cref="ToCandidateString"/>.</summary>
    public string Candidate => _candidate ??= Write();

    /// <summary>Whether <paramref name="init"/> signals end-of-candidates: its candidate string is null or empty.</summary>
    /// <param name="init">The init dictionary received.</param>
    /// <returns><see langword="true"/> for end-of-candidates.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="init"/> is null.</exception>
    public static bool IsEndOfCandidates(RTCIceCandidateInit init)
    {
        ArgumentNullException.ThrowIfNull(init);
        return string.IsNullOrEmpty(init.Candidate);
    }

    /// <summary>
    /// Creates a candidate from an init dictionary, as the W3C constructor does. The <c>ufrag</c>
    /// extension of the string wins over <see cref="RTCIceCandidateInit.UsernameFragment"/>.
    /// </summary>
    /// <param name="init">The init dictionary; check <see cref="IsEndOfCandidates"/> first.</param>
    /// <returns>The candidate.</returns>
    /// <exception cref="ArgumentException">Both SdpMid and SdpMLineIndex are null, the index is out of range, or the init is end-of-candidates.</exception>
    /// <exception cref="FormatException">The candidate string is malformed.</exception>
    public static RTCIceCandidate FromInit(RTCIceCandidateInit init)
    {
        ArgumentNullException.ThrowIfNull(init);
        if (IsEndOfCandidates(init)) { throw new ArgumentException("The init is end-of-candidates (empty candidate); it has no candidate to create.", nameof(init)); }
        if (init.SdpMid is null && init.SdpMLineIndex is null) { throw new ArgumentException("SdpMid and SdpMLineIndex are both null.", nameof(init)); }
        return Parse(init.Candidate, init.SdpMid, init.SdpMLineIndex, init.UsernameFragment);
    }

    /// <summary>Parses a candidate attribute (with or without <c>a=</c> and <c>candidate:</c>).</summary>
    /// <param name="candidate">The candidate string.</param>
    /// <param name="sdpMid">The m-line's mid, or null.</param>
    /// <param name="sdpMLineIndex">The m-line's index, or null.</param>
    /// <param name="usernameFragment">The ufrag to use when the string has no <c>ufrag</c> extension.</param>
    /// <returns>The candidate.</returns>
    /// <exception cref="FormatException">The string is malformed; the message names what is wrong.</exception>
    /// <exception cref="ArgumentException"><paramref name="sdpMLineIndex"/> is out of range or <paramref name="usernameFragment"/> is not a token.</exception>
    public static RTCIceCandidate Parse(string candidate, string? sdpMid = null, int? sdpMLineIndex = null, string? usernameFragment = null)
    {
        CheckLocation(sdpMLineIndex, usernameFragment);
        return TryParseCore(candidate, sdpMid, sdpMLineIndex, usernameFragment, out var result, out var error)
            ? result
            : throw new FormatException("Invalid ICE candidate: " + error + ".");
    }

    /// <summary>Tries to parse a candidate attribute; never throws.</summary>
    /// <param name="candidate">The candidate string.</param>
    /// <param name="result">The candidate, or null on failure.</param>
    /// <param name="error">On failure, what is wrong; otherwise null.</param>
    /// <returns><see langword="true"/> when the string is a valid candidate.</returns>
    public static bool TryParse([NotNullWhen(true)] string? candidate, [NotNullWhen(true)] out RTCIceCandidate? result, [NotNullWhen(false)] out string? error) =>
        TryParseCore(candidate, null, null, null, out result, out error);

    /// <summary>Tries to parse a candidate attribute that belongs to a given m-line; never throws.</summary>
    /// <param name="candidate">The candidate string.</param>
    /// <param name="sdpMid">The m-line's mid, or null.</param>
    /// <param name="sdpMLineIndex">The m-line's index (0 to 65535), or null.</param>
    /// <param name="usernameFragment">The ufrag to use when the string has no <c>ufrag</c> extension.</param>
    /// <param name="result">The candidate, or null on failure.</param>
    /// <param name="error">On failure, what is wrong; otherwise null.</param>
    /// <returns><see langword="true"/> when the string and the location are valid.</returns>
    public static bool TryParse([NotNullWhen(true)] string? candidate, string? sdpMid, int? sdpMLineIndex, string? usernameFragment,
        [NotNullWhen(true)] out RTCIceCandidate? result, [NotNullWhen(false)] out string? error)
    {
        if (sdpMLineIndex is not null and (< 0 or > 65535)) { result = null; error = $"m-line index {sdpMLineIndex} is out of range (0-65535)"; return false; }
        if (usernameFragment is not null && CheckToken("ufrag", usernameFragment) is { } e) { result = null; error = e; return false; }
        return TryParseCore(candidate, sdpMid, sdpMLineIndex, usernameFragment, out result, out error);
    }

    /// <summary>Returns this candidate with another m-line location (mid and index).</summary>
    /// <param name="sdpMid">The m-line's mid, or null.</param>
    /// <param name="sdpMLineIndex">The m-line's index (0 to 65535), or null.</param>
    /// <returns>A copy with the new location.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sdpMLineIndex"/> is out of range.</exception>
    public RTCIceCandidate WithSdpLocation(string? sdpMid, int? sdpMLineIndex)
    {
        if (sdpMLineIndex is not null and (< 0 or > 65535)) { throw new ArgumentOutOfRangeException(nameof(sdpMLineIndex), sdpMLineIndex, "The m-line index must be 0 to 65535."); }
        return new RTCIceCandidate(this, _parsedOrder, sdpMid, sdpMLineIndex);
    }

    /// <summary>The init dictionary for this candidate (W3C <c>toJSON()</c>), ready to serialize for signaling.</summary>
    /// <returns>The init dictionary.</returns>
    public RTCIceCandidateInit ToJson() => new(Candidate, SdpMid, SdpMLineIndex, UsernameFragment);

    /// <summary>
    /// Writes the candidate attribute value (RFC 8839 §5.1), without <c>a=</c>:
    /// <c>candidate:&lt;foundation&gt; &lt;component&gt; &lt;udp|tcp&gt; &lt;priority&gt; &lt;address&gt; &lt;port&gt; typ &lt;type&gt;</c>
    /// followed by the extensions.
    /// </summary>
    /// <returns>The candidate string.</returns>
    public string ToCandidateString() => Candidate;

    /// <summary>The candidate string (see <see cref="ToCandidateString"/>).</summary>
    /// <returns>The candidate string.</returns>
    public override string ToString() => Candidate;

    /// <inheritdoc/>
    public bool Equals(RTCIceCandidate? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (Foundation == other.Foundation && ComponentId == other.ComponentId && Protocol == other.Protocol &&
             Priority == other.Priority && Address == other.Address && Port == other.Port && Type == other.Type &&
             TcpType == other.TcpType && RelatedAddress == other.RelatedAddress && RelatedPort == other.RelatedPort &&
             Generation == other.Generation && UsernameFragment == other.UsernameFragment && NetworkId == other.NetworkId &&
             NetworkCost == other.NetworkCost && SdpMid == other.SdpMid && SdpMLineIndex == other.SdpMLineIndex &&
             _extensions.AsSpan().SequenceEqual(other._extensions)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RTCIceCandidate);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        HashCode.Combine(HashCode.Combine(Foundation, ComponentId, Protocol, Priority, Address, Port, Type),
            HashCode.Combine(RelatedAddress, RelatedPort, UsernameFragment, SdpMid, SdpMLineIndex, _extensions.Length));

    private static bool TryParseCore(string? candidate, string? sdpMid, int? sdpMLineIndex, string? usernameFragment,
        [NotNullWhen(true)] out RTCIceCandidate? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        try
        {
            error = ParseCore(candidate, sdpMid, sdpMLineIndex, usernameFragment, out result);
        }
#pragma warning disable CA1031 // Last line of defence: a parser bug must not become an exception on network input.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = "internal parser error (" + ex.GetType().Name + ")";
        }
        if (error is not null) { result = null; return false; }
        return result is not null || Fail("internal parser error", out error);
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }

    // Returns null and sets result on success, else an error message.
    private static string? ParseCore(string? candidate, string? sdpMid, int? sdpMLineIndex, string? usernameFragment, out RTCIceCandidate? result)
    {
        result = null;
        if (candidate is null) { return "the candidate string is null"; }
        if (candidate.Length > MaxCandidateLength) { return $"the candidate string is {candidate.Length} characters long; at most {MaxCandidateLength} are accepted"; }
        var text = candidate.AsSpan().Trim();
        if (text.StartsWith("a=", StringComparison.Ordinal))
        {
            text = text[2..];
            if (!text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)) { return "'a=' is not followed by 'candidate:'"; }
        }
        if (text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)) { text = text[Prefix.Length..]; }
        if (text.IsEmpty) { return "the candidate string is empty (an empty candidate means end-of-candidates)"; }

        var tokens = text.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length < 8)
        {
            return $"the candidate has {tokens.Length} fields; at least 8 are needed: foundation component transport priority address port 'typ' type";
        }
        if (CheckFoundation(tokens[0]) is { } e0) { return e0; }
        if (!TryParseNumber(tokens[1], 256, out var component) || component == 0) { return $"component id '{Shorten(tokens[1])}' is not a number from 1 to 256"; }
        if (!IceCandidateTokens.TryParseProtocol(tokens[2], out var protocol)) { return $"transport '{Shorten(tokens[2])}' is not 'udp' or 'tcp'"; }
        if (!TryParseNumber(tokens[3], uint.MaxValue, out var priority)) { return $"priority '{Shorten(tokens[3])}' is not a number from 0 to {uint.MaxValue}"; }
        if (CheckAddress("address", tokens[4]) is { } e4) { return e4; }
        if (!TryParseNumber(tokens[5], 65535, out var port)) { return $"port '{Shorten(tokens[5])}' is not a number from 0 to 65535"; }
        if (!string.Equals(tokens[6], "typ", StringComparison.OrdinalIgnoreCase)) { return $"expected 'typ' after the port but found '{Shorten(tokens[6])}'"; }
        if (!IceCandidateTokens.TryParseType(tokens[7], out var type)) { return $"candidate type '{Shorten(tokens[7])}' is not host, srflx, prflx or relay"; }
        if ((tokens.Length - 8) % 2 != 0) { return $"extension '{Shorten(tokens[^1])}' has no value (extensions come in 'name value' pairs)"; }

        string? raddr = null, ufrag = null;
        int? rport = null, generation = null, networkId = null, networkCost = null;
        RTCIceTcpCandidateType? tcpType = null;
        var extensions = new List<KeyValuePair<string, string>>();
        var order = new string[(tokens.Length - 8) / 2];
        for (var i = 8; i < tokens.Length; i += 2)
        {
            string name = tokens[i], value = tokens[i + 1];
            if ((CheckToken("extension name", name) ?? CheckToken($"value of extension '{Shorten(name)}'", value)) is { } et) { return et; }
            var known = KnownName(name);
            order[(i - 8) / 2] = known ?? name;
            if (known is not null && Array.IndexOf(order, known, 0, (i - 8) / 2) >= 0) { return $"extension '{known}' appears twice"; }
            switch (known)
            {
                case RaddrName:
                    if (CheckAddress("related address", value) is { } ea) { return ea; }
                    raddr = value;
                    break;
                case RportName:
                    if (!TryParseNumber(value, 65535, out var rp)) { return $"rport '{Shorten(value)}' is not a number from 0 to 65535"; }
                    rport = (int)rp;
                    break;
                case TcpTypeName:
                    if (!IceCandidateTokens.TryParseTcpType(value, out var tt)) { return $"tcptype '{Shorten(value)}' is not active, passive or so"; }
                    if (protocol != RTCIceProtocol.Tcp) { return "tcptype is only valid on a TCP candidate"; }
                    tcpType = tt;
                    break;
                case GenerationName:
                    if (!TryParseNumber(value, int.MaxValue, out var g)) { return $"generation '{Shorten(value)}' is not a non-negative 32-bit number"; }
                    generation = (int)g;
                    break;
                case UfragName:
                    ufrag = value;
                    break;
                case NetworkIdName:
                    if (!TryParseNumber(value, int.MaxValue, out var nid)) { return $"network-id '{Shorten(value)}' is not a non-negative 32-bit number"; }
                    networkId = (int)nid;
                    break;
                case NetworkCostName:
                    if (!TryParseNumber(value, int.MaxValue, out var nc)) { return $"network-cost '{Shorten(value)}' is not a non-negative 32-bit number"; }
                    networkCost = (int)nc;
                    break;
                default:
                    extensions.Add(new(name, value));
                    break;
            }
        }

        var parsed = new RTCIceCandidate(tokens[0], (int)component, protocol, (uint)priority, tokens[4], (int)port, type,
            raddr, rport, tcpType, generation, ufrag ?? usernameFragment, networkId, networkCost, null, null, extensions);
        result = new RTCIceCandidate(parsed, order, sdpMid, sdpMLineIndex);
        return null;
    }

    private string Write()
    {
        var sb = new StringBuilder(160);
        sb.Append(Prefix).Append(Foundation).Append(' ').Append(ComponentId.ToString(CultureInfo.InvariantCulture))
          .Append(' ').Append(Protocol.ToToken()).Append(' ').Append(Priority.ToString(CultureInfo.InvariantCulture))
          .Append(' ').Append(Address).Append(' ').Append(Port.ToString(CultureInfo.InvariantCulture))
          .Append(" typ ").Append(Type.ToToken());
        var written = new HashSet<string>(StringComparer.Ordinal);
        var unknown = 0;
        foreach (var name in _parsedOrder ?? [])
        {
            if (KnownName(name) is null)
            {
                if (unknown < _extensions.Length) { AppendPair(sb, _extensions[unknown].Key, _extensions[unknown].Value); unknown++; }
            }
            else if (written.Add(name))
            {
                AppendKnown(sb, name);
            }
        }
        // Known fields the string did not carry (a constructed candidate, or a ufrag given beside the string).
        foreach (var name in CanonicalOrder)
        {
            if (written.Add(name)) { AppendKnown(sb, name); }
        }
        for (; unknown < _extensions.Length; unknown++) { AppendPair(sb, _extensions[unknown].Key, _extensions[unknown].Value); }
        return sb.ToString();
    }

    private void AppendKnown(StringBuilder sb, string name)
    {
        var value = name switch
        {
            RaddrName => RelatedAddress,
            RportName => RelatedPort?.ToString(CultureInfo.InvariantCulture),
            TcpTypeName => TcpType?.ToToken(),
            GenerationName => Generation?.ToString(CultureInfo.InvariantCulture),
            UfragName => UsernameFragment,
            NetworkIdName => NetworkId?.ToString(CultureInfo.InvariantCulture),
            NetworkCostName => NetworkCost?.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        if (value is not null) { AppendPair(sb, name, value); }
    }

    private static void AppendPair(StringBuilder sb, string name, string value) => sb.Append(' ').Append(name).Append(' ').Append(value);

    // The normalized known extension name, or null for an unknown one.
    private static string? KnownName(string name)
    {
        if (string.Equals(name, RaddrName, StringComparison.OrdinalIgnoreCase)) { return RaddrName; }
        if (string.Equals(name, RportName, StringComparison.OrdinalIgnoreCase)) { return RportName; }
        if (string.Equals(name, TcpTypeName, StringComparison.OrdinalIgnoreCase)) { return TcpTypeName; }
        return name switch
        {
            GenerationName => GenerationName,
            UfragName => UfragName,
            NetworkIdName => NetworkIdName,
            NetworkCostName => NetworkCostName,
            _ => null,
        };
    }

    private static void Check(string? error, string paramName)
    {
        if (error is not null) { throw new ArgumentException($"Invalid ICE candidate field: {error}.", paramName); }
    }

    private static void CheckLocation(int? sdpMLineIndex, string? usernameFragment)
    {
        Check(sdpMLineIndex is null or (>= 0 and <= 65535) ? null : $"m-line index {sdpMLineIndex} is out of range (0-65535)", nameof(sdpMLineIndex));
        Check(usernameFragment is null ? null : CheckToken("ufrag", usernameFragment), nameof(usernameFragment));
    }

    // foundation = 1*32ice-char (RFC 8839 §5.1)
    private static string? CheckFoundation(string? foundation) =>
        foundation is { Length: >= 1 and <= 32 } && IceCredentials.IsIceChars(foundation)
            ? null
            : $"foundation '{Shorten(foundation)}' is not 1 to 32 characters of ALPHA / DIGIT / '+' / '/'";

    // A token of the candidate line: non-empty, no whitespace or control characters.
    private static string? CheckToken(string what, string? token)
    {
        if (string.IsNullOrEmpty(token)) { return $"{what} is empty"; }
        foreach (var c in token)
        {
            if (c <= ' ' || c == '\u007f' || char.IsWhiteSpace(c) || char.IsControl(c)) { return $"{what} '{Shorten(token)}' contains whitespace or a control character"; }
        }
        return null;
    }

    // connection-address (RFC 8866 §5.7 via RFC 8839): an IPv4 or IPv6 literal, or a host name.
    private static string? CheckAddress(string what, string? address)
    {
        if (string.IsNullOrEmpty(address)) { return $"{what} is empty"; }
        if (address.Length > 253) { return $"{what} is longer than 253 characters"; }
        if (address.Contains(':', StringComparison.Ordinal))
        {
            foreach (var c in address)
            {
                if (!char.IsAsciiHexDigit(c) && c != ':' && c != '.') { return $"{what} '{Shorten(address)}' is not a valid IPv6 address"; }
            }
            return IPAddress.TryParse(address, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? null
                : $"{what} '{Shorten(address)}' is not a valid IPv6 address";
        }
        var allDigitsAndDots = true;
        foreach (var c in address)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '.' && c != '_') { return $"{what} '{Shorten(address)}' is not an IP address or host name"; }
            allDigitsAndDots &= char.IsAsciiDigit(c) || c == '.';
        }
        if (allDigitsAndDots) { return ParseIPv4(address) is null ? $"{what} '{Shorten(address)}' is not a valid IPv4 address" : null; }
        foreach (var label in address.Split('.'))
        {
            if (label.Length is 0 or > 63) { return $"{what} '{Shorten(address)}' is not a valid host name"; }
        }
        return null;
    }

    private static IPAddress? ParseIPLiteral(string address) =>
        address.Contains(':', StringComparison.Ordinal)
            ? (IPAddress.TryParse(address, out var v6) ? v6 : null)
            : ParseIPv4(address);

    // Strict dotted quad: IPAddress.TryParse would also take "1", "1.2" and octal parts.
    private static IPAddress? ParseIPv4(string address)
    {
        var parts = address.Split('.');
        if (parts.Length != 4) { return null; }
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (parts[i].Length is 0 or > 3 || !TryParseNumber(parts[i], 255, out var b)) { return null; }
            bytes[i] = (byte)b;
        }
        return new IPAddress(bytes);
    }

    // Decimal digits only (no sign, no spaces), at most max.
    private static bool TryParseNumber(string token, ulong max, out ulong value)
    {
        value = 0;
        if (token.Length == 0) { return false; }
        foreach (var c in token)
        {
            if (!char.IsAsciiDigit(c)) { return false; }
            value = (value * 10) + (ulong)(c - '0'); // value <= max <= uint.MaxValue here, so no overflow
            if (value > max) { return false; }
        }
        return true;
    }

    // Keeps error messages short when the input is huge or hostile.
    private static string Shorten(string? s) => s is null ? "" : s.Length <= 40 ? s : string.Concat(s.AsSpan(0, 37), "...");
}

/// <summary>
/// The W3C <c>RTCIceCandidateInit</c> dictionary: what travels over signaling. Serializes with
/// System.Text.Json to the browser's JSON names (<c>candidate</c>, <c>sdpMid</c>, <c>sdpMLineIndex</c>,
/// <c>usernameFragment</c>). An empty <see cref="Candidate"/> means end-of-candidates.
/// </summary>
/// <param name="Candidate">The candidate attribute, or empty for end-of-candidates.</param>
/// <param name="SdpMid">The m-line's mid, or null.</param>
/// <param name="SdpMLineIndex">The m-line's index, or null.</param>
/// <param name="UsernameFragment">The ICE ufrag the candidate belongs to, or null.</param>
public sealed record RTCIceCandidateInit(
    [property: JsonPropertyName("candidate")] string Candidate = "",
    [property: JsonPropertyName("sdpMid")] string? SdpMid = null,
    [property: JsonPropertyName("sdpMLineIndex")] int? SdpMLineIndex = null,
    [property: JsonPropertyName("usernameFragment")] string? UsernameFragment = null);
