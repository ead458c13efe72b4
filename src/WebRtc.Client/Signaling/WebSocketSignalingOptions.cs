using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace WebRtc.Client.Signaling;

/// <summary>Settings of a <see cref="WebSocketSignalingChannel"/>.</summary>
public sealed class WebSocketSignalingOptions
{
    /// <summary>The default <see cref="MaxMessageSize"/>: 1 MiB.</summary>
    public const int DefaultMaxMessageSize = 1024 * 1024;

    /// <summary>
    /// The largest message, in UTF-8 bytes of JSON, sent or received. A larger outgoing message
    /// fails its send with a <see cref="SignalingException"/> (the channel stays open); a larger
    /// incoming one closes the channel with WebSocket status 1009 (message too big) and
    /// <see cref="SignalingCloseReason.ProtocolError"/>. 1 MiB by default; SDP is rarely over 20 KiB.
    /// </summary>
    public int MaxMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>How many received, unread messages to buffer before the receive loop stops reading the socket; 256 by default.</summary>
    public int InboxCapacity { get; init; } = 256;

    /// <summary>How long disposing waits for the remote to answer the close handshake before aborting the socket; 5 seconds by default.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Configures the <see cref="ClientWebSocket"/> before <see cref="WebSocketSignalingChannel.ConnectAsync(Uri, WebSocketSignalingOptions?, CancellationToken)"/>
    /// connects: headers, subprotocols, keep-alive, proxy, certificates. Not used for an accepted socket.
    /// </summary>
    public Action<ClientWebSocketOptions>? ConfigureClient { get; init; }

    /// <summary>Logs dropped (malformed) messages and the close, at Debug; null for none. Never logs SDP.</summary>
    public ILogger? Logger { get; init; }
}
