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

    [LoggerMessage(EventId = 1020, Level = LogLevel.Debug, Message = "TCP {LocalEndPoint} -> {Remote}: connected ({Framing}, TLS {Tls})")]
    public static partial void TcpConnected(ILogger logger, IPEndPoint localEndPoint, IPEndPoint remote, TcpFraming framing, bool tls);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Debug, Message = "TCP {LocalEndPoint} -> {Remote}: closed ({Reason})")]
    public static partial void TcpClosed(ILogger logger, Exception? exception, IPEndPoint localEndPoint, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Debug,
        Message = "TCP {LocalEndPoint} -> {Remote}: corrupt stream, byte 0x{Value:X2} starts neither STUN nor ChannelData; closing")]
    public static partial void TcpCorruptStream(ILogger logger, IPEndPoint localEndPoint, IPEndPoint remote, byte value);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Debug,
        Message = "TCP {LocalEndPoint} -> {Remote}: frame of {Length} bytes dropped: {Reason} ({Suppressed} similar suppressed)")]
    public static partial void TcpSendDropped(ILogger logger, IPEndPoint localEndPoint, IPEndPoint remote, int length, string reason, long suppressed);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Debug,
        Message = "TCP {LocalEndPoint} -> {Remote}: frame handler threw ({Suppressed} similar suppressed)")]
    public static partial void TcpHandlerError(ILogger logger, Exception exception, IPEndPoint localEndPoint, IPEndPoint remote, long suppressed);

    [LoggerMessage(EventId = 1025, Level = LogLevel.Debug,
        Message = "TCP listener {LocalEndPoint}: accept error {SocketError} ({Suppressed} similar suppressed)")]
    public static partial void TcpAcceptError(ILogger logger, IPEndPoint localEndPoint, SocketError socketError, long suppressed);

    [LoggerMessage(EventId = 1026, Level = LogLevel.Warning,
        Message = "TCP listener {LocalEndPoint}: unexpected accept failure ({Suppressed} similar suppressed)")]
    public static partial void TcpUnexpectedAcceptError(ILogger logger, Exception exception, IPEndPoint localEndPoint, long suppressed);

    [LoggerMessage(EventId = 1027, Level = LogLevel.Debug,
        Message = "TCP listener {LocalEndPoint}: connection from {Remote} closed, {Limit} accepted connections are live ({Suppressed} similar suppressed)")]
    public static partial void TcpAcceptRefused(ILogger logger, IPEndPoint localEndPoint, EndPoint? remote, int limit, long suppressed);

    [LoggerMessage(EventId = 1028, Level = LogLevel.Debug, Message = "TCP listener {LocalEndPoint}: accepted {Remote}")]
    public static partial void TcpAccepted(ILogger logger, IPEndPoint localEndPoint, IPEndPoint remote);

    [LoggerMessage(EventId = 1029, Level = LogLevel.Debug,
        Message = "TCP listener {LocalEndPoint}: an accepted connection could not be set up")]
    public static partial void TcpAcceptSetupFailed(ILogger logger, Exception exception, IPEndPoint localEndPoint);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Error,
        Message = "TCP listener {LocalEndPoint}: the accept callback threw; the connection from {Remote} is closed")]
    public static partial void TcpAcceptCallbackError(ILogger logger, Exception exception, IPEndPoint localEndPoint, IPEndPoint remote);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Debug, Message = "TCP listener {LocalEndPoint}: accept loop ended")]
    public static partial void TcpAcceptLoopEnded(ILogger logger, IPEndPoint localEndPoint);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Debug,
        Message = "TCP {LocalEndPoint} -> {Remote}: stream ended inside a frame, {Length} bytes dropped")]
    public static partial void TcpTruncated(ILogger logger, IPEndPoint localEndPoint, IPEndPoint remote, int length);
}
