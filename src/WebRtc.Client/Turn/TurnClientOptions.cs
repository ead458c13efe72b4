using System.Net;
using System.Net.Sockets;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Turn;

/// <summary>How the client reaches its TURN server (the relayed transport is always UDP).</summary>
public enum TurnTransportProtocol
{
    /// <summary>UDP: requests are retransmitted (RFC 8489 §6.2.1); ChannelData is not padded.</summary>
    Udp,

    /// <summary>TCP: no retransmissions, one timeout (RFC 8489 §6.2.2); ChannelData padded to 4 bytes (RFC 8656 §12.5).</summary>
    Tcp,

    /// <summary>TLS over TCP: as <see cref="Tcp"/> for the TURN core; the driver does the TLS.</summary>
    Tls,
}

/// <summary>
/// Sends one message to the TURN server. The driver frames nothing: over TCP and TLS both STUN
/// messages and ChannelData are self-delimiting, so the bytes go to the stream as they are.
/// </summary>
/// <param name="message">A STUN message or a ChannelData message; valid only during the call.</param>
public delegate void TurnSendCallback(ReadOnlySpan<byte> message);

/// <summary>Settings of one <see cref="TurnClient"/>: the server, the long-term credentials and timers.</summary>
public sealed class TurnClientOptions
{
    /// <summary>The TURN server's transport address.</summary>
    public required IPEndPoint Server { get; init; }

    /// <summary>The long-term credential user name (RFC 8489 §9.2).</summary>
    public required string Username { get; init; }

    /// <summary>The long-term credential password. Never logged and never part of <see cref="ToString"/>.</summary>
    public required string Password { get; init; }

    /// <summary>
    /// The transport to the server. Over TCP and TLS requests are not retransmitted and time out
    /// once (RFC 8489 §6.2.2), and ChannelData is padded to a multiple of 4 bytes (RFC 8656 §12.5).
    /// </summary>
    public TurnTransportProtocol Transport { get; init; }

    /// <summary>The turn: or turns: URL this client was made from, carried into diagnostics; optional.</summary>
    public string? Url { get; init; }

    /// <summary>
    /// Family of the relayed address asked for; IPv6 sends REQUESTED-ADDRESS-FAMILY (RFC 8656 §7.1).
    /// </summary>
    public AddressFamily RelayFamily { get; init; } = AddressFamily.InterNetwork;

    /// <summary>The allocation lifetime asked for in Allocate and Refresh (LIFETIME, RFC 8656 §7.2); the server may grant less.</summary>
    public TimeSpan RequestedLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Retransmission of requests over UDP (RTO 500 ms, 7 requests, a 39.5 s timeout by default,
    /// RFC 8489 §6.2.1). Over TCP and TLS the single timeout is this schedule's total.
    /// </summary>
    public StunRetransmitPolicy Retransmit { get; init; } = StunRetransmitPolicy.Default;

    /// <summary>SOFTWARE sent in every request, when set (RFC 8489 §14.14).</summary>
    public string? Software { get; init; }

    /// <summary>Describes the client's server and user, never the password.</summary>
    public override string ToString() => $"TURN {Transport} {Url ?? Server.ToString()} user {Username}";
}
