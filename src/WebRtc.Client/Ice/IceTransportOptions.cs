using System.Net;
using Microsoft.Extensions.Logging;

namespace WebRtc.Client.Ice;

/// <summary>Settings of an <see cref="IceTransport"/>: the knobs beside the W3C configuration.</summary>
public sealed class IceTransportOptions
{
    /// <summary>Start as the controlling agent (the offerer is, RFC 8445 §6.1.1).</summary>
    public bool Controlling { get; init; }

    /// <summary>Local ice-ufrag/ice-pwd; generated when null.</summary>
    public IceCredentials? LocalCredentials { get; init; }

    /// <summary>STUN servers for server-reflexive candidates.</summary>
    public IReadOnlyList<IPEndPoint> StunServers { get; init; } = [];

    /// <summary>TURN servers: a relay candidate is allocated from each (RFC 8656).</summary>
    public IReadOnlyList<IceTurnServer> TurnServers { get; init; } = [];

    /// <summary>
    /// Gather relay candidates only (W3C iceTransportPolicy "relay"): no host, TCP or
    /// server-reflexive candidates are announced or checked.
    /// </summary>
    public bool RelayOnly { get; init; }

    /// <summary>
    /// Gather RFC 6544 TCP host candidates too: a passive one (a listening socket) and an active
    /// one per address, so a peer behind a UDP-blocking firewall can still connect. Pairs over
    /// UDP rank higher, so TCP is only used when UDP fails.
    /// </summary>
    public bool IncludeTcp { get; init; }

    /// <summary>Creates every socket (UDP, TCP, TURN); <c>new Socket(...)</c> when null.</summary>
    public WebRtc.Client.Net.SocketFactory? SocketFactory { get; init; }

    /// <summary>
    /// Gather on loopback interfaces too. Off by default like browsers; tests and browsers started
    /// with <c>--allow-loopback-in-peer-connection</c> need it.
    /// </summary>
    public bool IncludeLoopback { get; init; }

    /// <summary>Gather IPv4 host candidates.</summary>
    public bool IncludeIPv4 { get; init; } = true;

    /// <summary>Gather IPv6 host candidates.</summary>
    public bool IncludeIPv6 { get; init; } = true;

    /// <summary>Bind exactly these addresses instead of enumerating interfaces.</summary>
    public IReadOnlyList<IPAddress>? BindAddresses { get; init; }

    /// <summary>Lowest local UDP port to bind (with <see cref="MaxPort"/>); ephemeral ports when null.</summary>
    public int? MinPort { get; init; }

    /// <summary>Highest local UDP port to bind.</summary>
    public int? MaxPort { get; init; }

    /// <summary>Clock for every ICE timer; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Logger; credentials are never logged.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>How long to wait for an mDNS answer for a remote <c>.local</c> candidate.</summary>
    public TimeSpan MdnsTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Agent knobs (pacing, consent, nomination, lite); credentials and role are filled in from this object.</summary>
    public IceAgentTuning Tuning { get; init; } = new();
}

/// <summary>Timers and behaviour of the ICE agent that an <see cref="IceTransport"/> drives.</summary>
public sealed record IceAgentTuning
{
    /// <summary>Run as ICE-lite (RFC 8445 §2.5).</summary>
    public bool Lite { get; init; }

    /// <summary>Ta, the pacing between checks.</summary>
    public TimeSpan CheckPacing { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Delay before the controlling agent nominates while better pairs are pending.</summary>
    public TimeSpan NominationDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Mean consent check interval (RFC 7675: 5 s).</summary>
    public TimeSpan ConsentInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Silence before Disconnected.</summary>
    public TimeSpan DisconnectedTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Silence before consent is lost and the transport fails (RFC 7675: 30 s).</summary>
    public TimeSpan ConsentTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>See <see cref="IceAgentOptions.KeepRedundantServerReflexive"/>.</summary>
    public bool KeepRedundantServerReflexive { get; init; }

    /// <summary>Seeded randomness for repeatable runs; null for a shared random source.</summary>
    public Random? Random { get; init; }
}
