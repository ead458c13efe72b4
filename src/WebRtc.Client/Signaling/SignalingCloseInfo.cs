namespace WebRtc.Client.Signaling;

/// <summary>Why a signaling channel closed.</summary>
public enum SignalingCloseReason
{
    /// <summary>This side closed the channel (disposed it).</summary>
    Local,

    /// <summary>The remote closed the channel in an orderly way (for example a WebSocket close handshake).</summary>
    Remote,

    /// <summary>The connection was lost: aborted, reset, or closed without a close handshake.</summary>
    ConnectionLost,

    /// <summary>The remote broke the protocol, for example with a message larger than the channel allows.</summary>
    ProtocolError,
}

/// <summary>How a signaling channel closed: the value of <see cref="ISignalingChannel.Completion"/>.</summary>
/// <param name="Reason">Why it closed.</param>
/// <param name="Description">A human-readable detail (such as the WebSocket close status and text), or null.</param>
/// <param name="Error">The exception that closed it, for <see cref="SignalingCloseReason.ConnectionLost"/> or <see cref="SignalingCloseReason.ProtocolError"/>, or null.</param>
public sealed record SignalingCloseInfo(SignalingCloseReason Reason, string? Description = null, Exception? Error = null);
