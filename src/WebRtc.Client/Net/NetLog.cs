using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace WebRtc.Client.Net;

/// <summary>Source-generated log messages of the network layer.</summary>
internal static partial class NetLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug,
        Message = "UDP {LocalEndPoint}: receive error {SocketError} ({Suppressed} similar suppressed)")]
    public static partial void ReceiveError(ILogger logger, IPEndPoint localEndPoint, SocketError socketError, long suppressed);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug,
        Message = "UDP {LocalEndPoint}: send to {Remote} failed with {SocketError} ({Suppressed} similar suppressed)")]
    public static partial void SendError(ILogger logger, IPEndPoint localEndPoint, IPEndPoint remote, SocketError socketError, long suppressed);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug,
        Message = "UDP {LocalEndPoint}: datagram handler threw ({Suppressed} similar suppressed)")]
    public static partial void HandlerError(ILogger logger, Exception exception, IPEndPoint localEndPoint, long suppressed);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "UDP {LocalEndPoint}: unexpected receive failure ({Suppressed} similar suppressed)")]
    public static partial void UnexpectedReceiveError(ILogger logger, Exception exception, IPEndPoint localEndPoint, long suppressed);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug,
        Message = "UDP {LocalEndPoint}: could not set socket option {Option}")]
    public static partial void SocketOptionFailed(ILogger logger, IPEndPoint localEndPoint, SocketOptionName option);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "UDP {LocalEndPoint}: receive loop started")]
    public static partial void ReceiveLoopStarted(ILogger logger, IPEndPoint localEndPoint);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Debug, Message = "UDP {LocalEndPoint}: receive loop ended")]
    public static partial void ReceiveLoopEnded(ILogger logger, IPEndPoint localEndPoint);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "mDNS: could not send query for {HostName} to {Target}")]
    public static partial void MdnsSendFailed(ILogger logger, string hostName, IPEndPoint target);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Debug, Message = "mDNS: dropped malformed message from {Remote}")]
    public static partial void MdnsMalformed(ILogger logger, IPEndPoint remote);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Debug, Message = "mDNS: {HostName} did not resolve in time")]
    public static partial void MdnsTimeout(ILogger logger, string hostName);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Debug, Message = "mDNS: could not open a socket for {Target}")]
    public static partial void MdnsSocketFailed(ILogger logger, Exception exception, IPEndPoint target);
}
