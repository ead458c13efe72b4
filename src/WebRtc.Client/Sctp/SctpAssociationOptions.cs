namespace WebRtc.Client.Sctp;

/// <summary>
/// Settings of an <see cref="SctpAssociation"/>. The defaults suit WebRTC data channels: port
/// 5000 both ways (RFC 8841 §5), 256 KiB messages as browsers advertise, and timers that follow
/// RFC 9260 §16 except a lower RTO.Min, as WebRTC stacks use (a 1 s floor makes every loss
/// recovery on a LAN take a second).
/// </summary>
public sealed record SctpAssociationOptions
{
    /// <summary>Our SCTP port (a=sctp-port).</summary>
    public ushort LocalPort { get; init; } = 5000;

    /// <summary>The peer's SCTP port.</summary>
    public ushort RemotePort { get; init; } = 5000;

    /// <summary>
    /// The largest SCTP packet we send: what one DTLS record carries (1163 bytes at a 1200-byte
    /// MTU with AES-GCM).
    /// </summary>
    public int MaxPacketSize { get; init; } = 1160;

    /// <summary>Our receive buffer; its free part is the a_rwnd we advertise.</summary>
    public int ReceiveWindow { get; init; } = 1024 * 1024;

    /// <summary>Largest message we accept (our a=max-message-size).</summary>
    public int MaxReceiveMessageSize { get; init; } = 256 * 1024;

    /// <summary>Largest message we may send (the peer's a=max-message-size; 0 means no limit).</summary>
    public int MaxSendMessageSize { get; init; } = 256 * 1024;

    /// <summary>Outbound streams we ask for.</summary>
    public ushort OutboundStreams { get; init; } = ushort.MaxValue;

    /// <summary>Inbound streams we allow.</summary>
    public ushort InboundStreams { get; init; } = ushort.MaxValue;

    /// <summary>RTO.Initial.</summary>
    public TimeSpan RtoInitial { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>RTO.Min.</summary>
    public TimeSpan RtoMin { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>RTO.Max.</summary>
    public TimeSpan RtoMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a received DATA may wait for its SACK (RFC 9260 §6.2: at most 500 ms).</summary>
    public TimeSpan DelayedAckTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>HB.interval: an idle association sends a HEARTBEAT this often.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Valid.Cookie.Life.</summary>
    public TimeSpan CookieLifetime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Association.Max.Retrans: consecutive timeouts before the association fails.</summary>
    public int MaxRetransmissions { get; init; } = 10;

    /// <summary>Max.Init.Retransmits.</summary>
    public int MaxInitRetransmissions { get; init; } = 8;

    /// <summary>Verify the CRC32c of received packets (RFC 8261 §5 lets DTLS stand in for it).</summary>
    public bool VerifyChecksum { get; init; } = true;

    /// <summary>Random source for tags and initial TSNs; null uses a cryptographic generator.</summary>
    public Random? Random { get; init; }

    internal void Validate()
    {
        if (MaxPacketSize < 256 || MaxPacketSize > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPacketSize), MaxPacketSize, "The SCTP packet size must be between 256 and 65535.");
        }

        if (ReceiveWindow < 1500 || MaxReceiveMessageSize <= 0 || MaxSendMessageSize < 0 || OutboundStreams == 0 || InboundStreams == 0)
        {
            throw new ArgumentException("ReceiveWindow must be at least 1500, message sizes and stream counts positive.");
        }

        if (RtoMin <= TimeSpan.Zero || RtoInitial < RtoMin || RtoMax < RtoInitial)
        {
            throw new ArgumentException("The RTO bounds must satisfy 0 < RtoMin <= RtoInitial <= RtoMax.");
        }
    }
}

/// <summary>States of an association (RFC 9260 §4).</summary>
public enum SctpAssociationState
{
    /// <summary>No association.</summary>
    Closed,

    /// <summary>INIT sent.</summary>
    CookieWait,

    /// <summary>COOKIE ECHO sent.</summary>
    CookieEchoed,

    /// <summary>Up.</summary>
    Established,

    /// <summary>Shutdown asked locally; waiting for outstanding data.</summary>
    ShutdownPending,

    /// <summary>SHUTDOWN sent.</summary>
    ShutdownSent,

    /// <summary>SHUTDOWN received; finishing outstanding data.</summary>
    ShutdownReceived,

    /// <summary>SHUTDOWN ACK sent.</summary>
    ShutdownAckSent,
}

/// <summary>Per-message send settings: ordering and the RFC 3758 partial-reliability policy.</summary>
public readonly record struct SctpSendOptions
{
    /// <summary>Deliver without regard to order (U bit).</summary>
    public bool Unordered { get; init; }

    /// <summary>Give the message up after this many retransmissions (null: reliable).</summary>
    public int? MaxRetransmits { get; init; }

    /// <summary>Give the message up after this long since <c>Send</c> (null: reliable).</summary>
    public TimeSpan? Lifetime { get; init; }
}

/// <summary>Something that happened on an association, for its driver.</summary>
public abstract record SctpAssociationEvent;

/// <summary>The association changed state; <paramref name="Reason"/> explains a close.</summary>
/// <param name="State">The new state.</param>
/// <param name="Reason">Why it closed, when it did not close cleanly.</param>
public sealed record SctpStateChangedEvent(SctpAssociationState State, string? Reason) : SctpAssociationEvent;

/// <summary>The peer reset these streams of its own (RFC 6525): our incoming side is reset.</summary>
/// <param name="Streams">The streams.</param>
public sealed record SctpIncomingStreamsResetEvent(ushort[] Streams) : SctpAssociationEvent;

/// <summary>Our reset of these outgoing streams completed (or was refused).</summary>
/// <param name="Streams">The streams.</param>
/// <param name="Success">False when the peer refused.</param>
public sealed record SctpOutgoingStreamsResetEvent(ushort[] Streams, bool Success) : SctpAssociationEvent;

/// <summary>Counters of an association.</summary>
public sealed class SctpAssociationStatistics
{
    /// <summary>Packets handed out by PollTransmit.</summary>
    public long PacketsSent { get; internal set; }

    /// <summary>Packets accepted.</summary>
    public long PacketsReceived { get; internal set; }

    /// <summary>Packets dropped as malformed, mis-tagged or out of state.</summary>
    public long PacketsDropped { get; internal set; }

    /// <summary>The largest packet accepted so far, in bytes with the common header (a peer's own MTU shows here).</summary>
    public int LargestPacketReceived { get; internal set; }

    /// <summary>DATA chunks sent for the first time.</summary>
    public long DataChunksSent { get; internal set; }

    /// <summary>DATA chunks received (including duplicates).</summary>
    public long DataChunksReceived { get; internal set; }

    /// <summary>DATA chunks retransmitted.</summary>
    public long Retransmissions { get; internal set; }

    /// <summary>Fast retransmit events.</summary>
    public long FastRetransmits { get; internal set; }

    /// <summary>T3-rtx expirations.</summary>
    public long T3Expirations { get; internal set; }

    /// <summary>Duplicate DATA chunks received.</summary>
    public long DuplicatesReceived { get; internal set; }

    /// <summary>Messages given up under a partial-reliability policy.</summary>
    public long MessagesAbandoned { get; internal set; }

    /// <summary>User messages sent (queued and accepted).</summary>
    public long MessagesSent { get; internal set; }

    /// <summary>User messages delivered.</summary>
    public long MessagesReceived { get; internal set; }

    /// <summary>User data bytes sent for the first time.</summary>
    public long BytesSent { get; internal set; }

    /// <summary>User data bytes delivered.</summary>
    public long BytesReceived { get; internal set; }
}
