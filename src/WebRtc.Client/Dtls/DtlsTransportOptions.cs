using Microsoft.Extensions.Logging;
using WebRtc.Client.Srtp;

namespace WebRtc.Client.Dtls;

/// <summary>Knobs of a <see cref="DtlsTransport"/>; the defaults suit WebRTC.</summary>
public sealed class DtlsTransportOptions
{
    /// <summary>How long the handshake may take before it fails; 30 s by default.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long to wait for an answer before a handshake flight is first sent again (doubling
    /// after that, RFC 6347 §4.2.4.1); 1 s by default, as the RFC suggests. A peer connection
    /// sets each transport's <see cref="DtlsTransport.InitialRetransmissionTimeout"/> from the ICE
    /// round-trip time instead, as libwebrtc does.
    /// </summary>
    public TimeSpan InitialRetransmissionTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Largest datagram to send, DTLS headers included; 1200 by default, which fits every path
    /// WebRTC meets (IPv6 minimum MTU less IP/UDP/TURN overhead). Received datagrams may be
    /// larger: any record a peer sends (up to 2^14 + 2048 bytes of fragment) is accepted.
    /// </summary>
    public int Mtu { get; init; } = 1200;

    /// <summary>
    /// SRTP protection profiles offered (client) or accepted (server) in the use_srtp extension
    /// (RFC 5764 §4.1.1), in preference order; <see cref="SrtpProfileExtensions.DefaultPreference"/>
    /// by default. Empty to offer none: the handshake then negotiates no profile.
    /// </summary>
    public IReadOnlyList<SrtpProfile> SrtpProfiles { get; init; } = SrtpProfileExtensions.DefaultPreference;

    /// <summary>Datagrams queued towards the handshake/record layer before new ones are dropped.</summary>
    public int ReceiveQueueLimit { get; init; } = 512;

    /// <summary>
    /// Protect application data with .NET's AES-GCM or ChaCha20-Poly1305 (every suite offered is
    /// one of them) on the network receive thread, instead of BouncyCastle's record layer and its
    /// DTLS thread (true by default; the wire format is the same, so peers cannot tell). Only the
    /// native path enforces the AEAD limits of RFC 9147 §4.5.3.
    /// </summary>
    public bool NativeRecordLayer { get; init; } = true;

    /// <summary>Cipher suites offered or accepted, in preference order (tests pin one); null for the defaults.</summary>
    internal IReadOnlyList<int>? CipherSuites { get; init; }

    /// <summary>Test hook: adjusts the native record layer (its AEAD limits) once the handshake made it.</summary>
    internal Action<DtlsAeadRecordLayer>? ConfigureRecordLayer { get; init; }

    /// <summary>Logger; nothing is logged when null.</summary>
    public ILogger? Logger { get; init; }
}
