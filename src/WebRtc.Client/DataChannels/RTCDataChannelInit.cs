namespace WebRtc.Client.DataChannels;

/// <summary>Priority of a data channel (W3C RTCPriorityType; RFC 8831 §6.4 maps it to DCEP values).</summary>
public enum RTCPriorityType
{
    /// <summary>very-low (DCEP 128).</summary>
    VeryLow,

    /// <summary>low (DCEP 256), the default.</summary>
    Low,

    /// <summary>medium (DCEP 512).</summary>
    Medium,

    /// <summary>high (DCEP 1024).</summary>
    High,
}

/// <summary>States of a data channel (W3C RTCDataChannelState).</summary>
public enum RTCDataChannelState
{
    /// <summary>Not open yet.</summary>
    Connecting,

    /// <summary>Open: messages flow.</summary>
    Open,

    /// <summary>Closing: no more sends; buffered data is still delivered.</summary>
    Closing,

    /// <summary>Closed.</summary>
    Closed,
}

/// <summary>Options of a new data channel (W3C RTCDataChannelInit).</summary>
public sealed record RTCDataChannelInit
{
    /// <summary>Deliver in order (default true).</summary>
    public bool Ordered { get; init; } = true;

    /// <summary>Give a message up after this long, in milliseconds (partial reliability by lifetime).</summary>
    public ushort? MaxPacketLifeTime { get; init; }

    /// <summary>Give a message up after this many retransmissions (partial reliability by retransmits).</summary>
    public ushort? MaxRetransmits { get; init; }

    /// <summary>Sub-protocol name.</summary>
    public string Protocol { get; init; } = string.Empty;

    /// <summary>True when the application opens the channel on both sides with the same <see cref="Id"/> (no DCEP).</summary>
    public bool Negotiated { get; init; }

    /// <summary>The stream id; required when <see cref="Negotiated"/>, otherwise chosen by DTLS role.</summary>
    public ushort? Id { get; init; }

    /// <summary>Priority.</summary>
    public RTCPriorityType Priority { get; init; } = RTCPriorityType.Low;
}
