using Microsoft.Extensions.Logging;

namespace WebRtc.Client.Signaling;

/// <summary>Source-generated log messages of the signaling channels.</summary>
internal static partial class SignalingLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug,
        Message = "Signaling: dropped a malformed message of {Length} bytes: {Error} ({Dropped} dropped so far)")]
    public static partial void DroppedMalformed(ILogger logger, int length, string error, long dropped);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug,
        Message = "Signaling: channel closed ({Reason}): {Description}")]
    public static partial void Closed(ILogger logger, Exception? exception, SignalingCloseReason reason, string? description);
}
