using Microsoft.Extensions.Logging;

namespace WebRtc.Client.Dtls;

/// <summary>Knobs of a <see cref="DtlsTransport"/>; the defaults suit WebRTC.</summary>
public sealed class DtlsTransportOptions
{
    /// <summary>How long the handshake may take before it fails; 30 s by default.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Largest datagram to send or expect, DTLS headers included; 1200 by default, which fits
    /// every path WebRTC meets (IPv6 minimum MTU less IP/UDP/TURN overhead).
    /// </summary>
    public int Mtu { get; init; } = 1200;

    /// <summary>SRTP protection profiles offered (client) or accepted (server), in preference order.</summary>
    public IReadOnlyList<int> SrtpProtectionProfiles { get; init; } = DtlsSrtpProtectionProfile.Default;

    /// <summary>Datagrams queued towards the handshake/record layer before new ones are dropped.</summary>
    public int ReceiveQueueLimit { get; init; } = 512;

    /// <summary>Logger; nothing is logged when null.</summary>
    public ILogger? Logger { get; init; }
}
