using System.Net;
using Microsoft.Extensions.Logging;
using WebRtc.Client.Codecs;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Sctp;

namespace WebRtc.Client;

/// <summary>The type of a session description (W3C RTCSdpType).</summary>
public enum RTCSdpType
{
    /// <summary>An offer.</summary>
    Offer,

    /// <summary>A provisional answer.</summary>
    Pranswer,

    /// <summary>A final answer.</summary>
    Answer,

    /// <summary>Rolls back to the last stable state.</summary>
    Rollback,
}

/// <summary>A session description (W3C RTCSessionDescription).</summary>
/// <param name="Type">Its type.</param>
/// <param name="Sdp">The SDP text (empty for a rollback).</param>
public sealed record RTCSessionDescription(RTCSdpType Type, string Sdp)
{
    /// <summary>The W3C name of <see cref="Type"/> ("offer", "answer" ...), as signaling JSON carries it.</summary>
    public string TypeName => Type switch
    {
        RTCSdpType.Offer => "offer",
        RTCSdpType.Pranswer => "pranswer",
        RTCSdpType.Answer => "answer",
        _ => "rollback",
    };

    /// <summary>Keeps the SDP out of logs: it carries the ICE password.</summary>
    public override string ToString() => $"{TypeName} ({Sdp.Length} chars)";
}

/// <summary>W3C RTCSignalingState.</summary>
public enum RTCSignalingState
{
    /// <summary>No offer/answer exchange in progress.</summary>
    Stable,

    /// <summary>A local offer is applied.</summary>
    HaveLocalOffer,

    /// <summary>A remote offer is applied.</summary>
    HaveRemoteOffer,

    /// <summary>A local provisional answer is applied.</summary>
    HaveLocalPranswer,

    /// <summary>A remote provisional answer is applied.</summary>
    HaveRemotePranswer,

    /// <summary>The connection is closed.</summary>
    Closed,
}

/// <summary>W3C RTCPeerConnectionState: ICE and DTLS together.</summary>
public enum RTCPeerConnectionState
{
    /// <summary>Nothing started.</summary>
    New,

    /// <summary>ICE or DTLS is being established.</summary>
    Connecting,

    /// <summary>ICE and DTLS are up.</summary>
    Connected,

    /// <summary>ICE lost its peer for now.</summary>
    Disconnected,

    /// <summary>ICE or DTLS failed.</summary>
    Failed,

    /// <summary>Closed.</summary>
    Closed,
}

/// <summary>W3C RTCIceConnectionState.</summary>
public enum RTCIceConnectionState
{
    /// <summary>Nothing started.</summary>
    New,

    /// <summary>Checks are running.</summary>
    Checking,

    /// <summary>A usable pair exists.</summary>
    Connected,

    /// <summary>Checks are done and a pair is nominated.</summary>
    Completed,

    /// <summary>Consent lost for now.</summary>
    Disconnected,

    /// <summary>Failed.</summary>
    Failed,

    /// <summary>Closed.</summary>
    Closed,
}

/// <summary>W3C RTCIceTransportPolicy.</summary>
public enum RTCIceTransportPolicy
{
    /// <summary>Every candidate type.</summary>
    All,

    /// <summary>Relay candidates only.</summary>
    Relay,
}

/// <summary>W3C RTCBundlePolicy. This library always bundles (one transport for everything).</summary>
public enum RTCBundlePolicy
{
    /// <summary>Balanced.</summary>
    Balanced,

    /// <summary>Max-compat.</summary>
    MaxCompat,

    /// <summary>Max-bundle (what this library does).</summary>
    MaxBundle,
}

/// <summary>A STUN or TURN server (W3C RTCIceServer).</summary>
public sealed class RTCIceServer
{
    /// <summary>One server URL with optional credentials.</summary>
    public RTCIceServer(string url, string? username = null, string? credential = null)
        : this([url], username, credential)
    {
    }

    /// <summary>Several URLs of one server.</summary>
    public RTCIceServer(IReadOnlyList<string> urls, string? username = null, string? credential = null)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (urls.Count == 0)
        {
            throw new ArgumentException("An ICE server needs at least one URL.", nameof(urls));
        }

        foreach (var url in urls)
        {
            // W3C: a malformed URL is a SyntaxError at construction.
            if (Parse(url).Scheme is "turn" or "turns")
            {
                GetTurnTransport(url);
            }
        }

        Urls = urls;
        Username = username;
        Credential = credential;
    }

    /// <summary>The URLs (stun:, stuns:, turn:, turns:).</summary>
    public IReadOnlyList<string> Urls { get; }

    /// <summary>TURN username.</summary>
    public string? Username { get; }

    /// <summary>TURN credential (never logged).</summary>
    public string? Credential { get; }

    /// <summary>
    /// How a turn:/turns: URL reaches its server (RFC 7065 §3): turns: is TLS over TCP, turn: is
    /// UDP unless the URL says <c>?transport=tcp</c>.
    /// </summary>
    /// <exception cref="FormatException">Not a turn: or turns: URL, or a transport other than udp or tcp.</exception>
    public static RTCIceServerTransportProtocol GetTurnTransport(string url)
    {
        var (scheme, _, _) = Parse(url);
        if (scheme is not ("turn" or "turns"))
        {
            throw new FormatException($"'{url}' is not a turn: or turns: URL.");
        }

        int query = url.IndexOf('?', StringComparison.Ordinal);
        string? transport = null;
        if (query >= 0)
        {
            foreach (var parameter in url[(query + 1)..].Split('&'))
            {
                if (parameter.StartsWith("transport=", StringComparison.OrdinalIgnoreCase))
                {
                    transport = parameter["transport=".Length..].ToLowerInvariant();
                }
            }
        }

        return (scheme, transport) switch
        {
            ("turns", null or "tcp") => RTCIceServerTransportProtocol.Tls,
            ("turn", null or "udp") => RTCIceServerTransportProtocol.Udp,
            ("turn", "tcp") => RTCIceServerTransportProtocol.Tcp,
            _ => throw new FormatException($"'{url}' asks for transport '{transport}', which is not supported (udp or tcp; turns: with udp would be DTLS)."),
        };
    }

    /// <summary>Splits a stun:/turn: URL (RFC 7064, RFC 7065) into scheme, host and port.</summary>
    /// <exception cref="FormatException">Not such a URL.</exception>
    public static (string Scheme, string Host, int Port) Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        int colon = url.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon > 0 ? url[..colon].ToLowerInvariant() : string.Empty;
        if (scheme is not ("stun" or "stuns" or "turn" or "turns"))
        {
            throw new FormatException($"'{url}' is not a stun:, stuns:, turn: or turns: URL.");
        }

        var rest = url[(colon + 1)..];
        int query = rest.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            rest = rest[..query];
        }

        int defaultPort = scheme is "stuns" or "turns" ? 5349 : 3478;
        string host;
        int port = defaultPort;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"'{url}' has an unterminated IPv6 address.");
            }

            host = rest[1..close];
            rest = rest[(close + 1)..];
            if (rest.StartsWith(':') && !int.TryParse(rest[1..], out port))
            {
                throw new FormatException($"'{url}' has a bad port.");
            }
        }
        else
        {
            int portColon = rest.LastIndexOf(':');
            host = portColon >= 0 ? rest[..portColon] : rest;
            if (portColon >= 0 && !int.TryParse(rest[(portColon + 1)..], out port))
            {
                throw new FormatException($"'{url}' has a bad port.");
            }
        }

        if (host.Length == 0 || port is <= 0 or > 65535)
        {
            throw new FormatException($"'{url}' has no host or a port out of range.");
        }

        return (scheme, host, port);
    }
}

/// <summary>The W3C RTCConfiguration: only what the standard has (other knobs are in <see cref="RTCPeerConnectionOptions"/>).</summary>
public sealed class RTCConfiguration
{
    /// <summary>STUN/TURN servers.</summary>
    public IList<RTCIceServer> IceServers { get; init; } = new List<RTCIceServer>();

    /// <summary>Which candidates to use.</summary>
    public RTCIceTransportPolicy IceTransportPolicy { get; init; } = RTCIceTransportPolicy.All;

    /// <summary>Bundle policy; the library always uses one transport, which all three allow for a data-only session.</summary>
    public RTCBundlePolicy BundlePolicy { get; init; } = RTCBundlePolicy.Balanced;

    /// <summary>Certificates; one ECDSA P-256 certificate is generated when empty.</summary>
    public IList<RTCCertificate> Certificates { get; init; } = new List<RTCCertificate>();

    /// <summary>Candidates to gather before the first offer (accepted; gathering starts at SetLocalDescription).</summary>
    public int IceCandidatePoolSize { get; init; }
}

/// <summary>Settings beside the W3C configuration (DESIGN.md: standard surface, separate knobs).</summary>
public sealed record RTCPeerConnectionOptions
{
    /// <summary>Offer 127.0.0.1/::1 host candidates too (off by default, as browsers do).</summary>
    public bool IncludeLoopback { get; init; }

    /// <summary>Bind exactly these addresses instead of enumerating interfaces.</summary>
    public IReadOnlyList<IPAddress>? BindAddresses { get; init; }

    /// <summary>Lowest local UDP (and ICE-TCP listening) port.</summary>
    public int? MinPort { get; init; }

    /// <summary>Highest local UDP (and ICE-TCP listening) port.</summary>
    public int? MaxPort { get; init; }

    /// <summary>
    /// Gather RFC 6544 TCP host candidates (a passive listener and an active side per address), as
    /// browsers do, so a peer whose UDP is blocked can still connect over TCP. UDP pairs rank
    /// higher, so TCP carries the call only when UDP fails. Off by default for now (see the README).
    /// </summary>
    public bool IceTcp { get; init; }

    /// <summary>
    /// Validates the certificate of a <c>turns:</c> server instead of the system's validation
    /// (for a private CA or a self-signed server in tests). Null uses the system's trust store and
    /// the host name of the URL.
    /// </summary>
    public System.Net.Security.RemoteCertificateValidationCallback? TurnTlsCertificateValidation { get; init; }

    /// <summary>Creates every socket the connection opens (see <see cref="WebRtc.Client.Net.SocketFactory"/>); null for plain sockets.</summary>
    public WebRtc.Client.Net.SocketFactory? SocketFactory { get; init; }

    /// <summary>The a=max-message-size we advertise (and accept).</summary>
    public int MaxMessageSize { get; init; } = 256 * 1024;

    /// <summary>ICE agent timers and behaviour.</summary>
    public IceAgentTuning IceTuning { get; init; } = new();

    /// <summary>SCTP settings (ports and message sizes are filled in from the SDP).</summary>
    public SctpAssociationOptions Sctp { get; init; } = new();

    /// <summary>Data-channel buffer limits.</summary>
    public DataChannelOptions DataChannels { get; init; } = new();

    /// <summary>DTLS settings.</summary>
    public DtlsTransportOptions Dtls { get; init; } = new();

    /// <summary>Clock for every timer.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The codecs audio and video m-sections offer and accept, in preference order. The default holds the
    /// managed G.722, PCMU and PCMA; add Opus (<c>WebRtc.Client.Codecs.Opus</c>: <c>AddOpus()</c>) and VP8/VP9/H.264
    /// (<c>WebRtc.Client.Codecs.FFmpeg</c>: <c>AddFFmpegVideo()</c>). A codec without an adapter here is never offered.
    /// </summary>
    public CodecRegistry Codecs { get; init; } = CodecRegistry.CreateDefault();

    /// <summary>The largest RTP datagram sent (SRTP tag included), 1200 bytes by default as browsers use.</summary>
    public int RtpMtu { get; init; } = 1200;

    /// <summary>Logger factory; nothing is logged when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>A gathered local candidate, or null when gathering finished (W3C RTCPeerConnectionIceEvent).</summary>
/// <param name="candidate">The candidate, or null at the end.</param>
public sealed class RTCPeerConnectionIceEventArgs(RTCIceCandidate? candidate) : EventArgs
{
    /// <summary>The candidate; null means gathering is complete.</summary>
    public RTCIceCandidate? Candidate { get; } = candidate;
}

/// <summary>W3C InvalidModificationError: the change is not allowed (for example new certificates in SetConfiguration).</summary>
public class InvalidModificationException : RTCException
{
    /// <summary>Creates the exception.</summary>
    public InvalidModificationException(string message)
        : base(message)
    {
    }
}
