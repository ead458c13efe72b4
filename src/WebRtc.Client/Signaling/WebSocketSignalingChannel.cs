using System.Buffers;
using System.Net.WebSockets;
using System.Numerics;
using Microsoft.Extensions.Logging;

namespace WebRtc.Client.Signaling;

/// <summary>
/// A signaling channel over a WebSocket: one JSON <see cref="SignalingMessage"/> per text message.
/// Connect as a client with <see cref="ConnectAsync(Uri, CancellationToken)"/>, or wrap a socket a
/// server has accepted (for example ASP.NET Core's <c>HttpContext.WebSockets.AcceptWebSocketAsync()</c>)
/// with the constructor.
/// </summary>
/// <remarks>
/// <para>
/// Sends are serialized (one message at a time, each in one frame) and may be called concurrently.
/// Received messages may be fragmented over several frames; binary messages are read as UTF-8 JSON too.
/// A message that is not a valid <see cref="SignalingMessage"/> is dropped (counted in
/// <see cref="DroppedMessageCount"/> and logged at Debug); it never ends the stream.
/// </para>
/// <para>
/// The channel closes when the remote closes the WebSocket (<see cref="SignalingCloseReason.Remote"/>; the
/// close handshake is answered), when the connection breaks (<see cref="SignalingCloseReason.ConnectionLost"/>),
/// when a received message exceeds <see cref="WebSocketSignalingOptions.MaxMessageSize"/>
/// (<see cref="SignalingCloseReason.ProtocolError"/>), or on <see cref="DisposeAsync"/>, which sends a
/// normal close, waits up to <see cref="WebSocketSignalingOptions.CloseTimeout"/> for the reply and then
/// disposes the socket. The channel owns the socket. A server handler should await
/// <see cref="ISignalingChannel.Completion"/> (or the end of its read loop) before it returns, since
/// ASP.NET Core closes the socket when the request ends.
/// </para>
/// </remarks>
public sealed class WebSocketSignalingChannel : SignalingChannel
{
    private const int InitialBufferSize = 8 * 1024;

    private readonly WebSocket _socket;
    private readonly int _maxMessageSize;
    private readonly TimeSpan _closeTimeout;
    private readonly ILogger? _logger;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiveLoop;
    private int _disposed;
    private long _dropped;

    /// <summary>Wraps a connected WebSocket (for example one a server accepted) and starts reading it.</summary>
    /// <param name="webSocket">The socket, in the <see cref="WebSocketState.Open"/> state. The channel owns it from now on.</param>
    /// <param name="options">Settings, or null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="webSocket"/> is null.</exception>
    /// <exception cref="ArgumentException">The socket is not open.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public WebSocketSignalingChannel(WebSocket webSocket, WebSocketSignalingOptions? options = null)
        : base(CheckOptions(options ??= new WebSocketSignalingOptions()).InboxCapacity)
    {
        ArgumentNullException.ThrowIfNull(webSocket);
        if (webSocket.State != WebSocketState.Open)
        {
            throw new ArgumentException($"The WebSocket is {webSocket.State}, not Open.", nameof(webSocket));
        }

        _socket = webSocket;
        _maxMessageSize = options.MaxMessageSize;
        _closeTimeout = options.CloseTimeout;
        _logger = options.Logger;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>How many received messages were dropped because they were not valid signaling messages.</summary>
    public long DroppedMessageCount => Interlocked.Read(ref _dropped);

    /// <summary>Connects to a WebSocket signaling server with the default settings.</summary>
    /// <param name="uri">The server, a <c>ws://</c> or <c>wss://</c> URL.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected channel.</returns>
    /// <exception cref="SignalingException">The connection could not be made.</exception>
    /// <exception cref="ArgumentException"><paramref name="uri"/> is not a ws:// or wss:// URL.</exception>
    public static Task<WebSocketSignalingChannel> ConnectAsync(Uri uri, CancellationToken cancellationToken = default) =>
        ConnectAsync(uri, null, cancellationToken);

    /// <summary>Connects to a WebSocket signaling server.</summary>
    /// <param name="uri">The server, a <c>ws://</c> or <c>wss://</c> URL.</param>
    /// <param name="options">Settings (including <see cref="WebSocketSignalingOptions.ConfigureClient"/>), or null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected channel.</returns>
    /// <exception cref="SignalingException">The connection could not be made.</exception>
    /// <exception cref="ArgumentException"><paramref name="uri"/> is not a ws:// or wss:// URL.</exception>
    public static async Task<WebSocketSignalingChannel> ConnectAsync(Uri uri, WebSocketSignalingOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeWs && uri.Scheme != Uri.UriSchemeWss))
        {
            throw new ArgumentException("The signaling URL must be an absolute ws:// or wss:// URL.", nameof(uri));
        }

        options ??= new WebSocketSignalingOptions();
        CheckOptions(options);
        var socket = new ClientWebSocket();
        try
        {
            options.ConfigureClient?.Invoke(socket.Options);
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            return new WebSocketSignalingChannel(socket, options);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
        {
            socket.Dispose();
            // The query may carry a token: leave it out of the message.
            throw new SignalingException($"Could not connect to the signaling server {uri.GetLeftPart(UriPartial.Path)}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Closes the channel: sends a normal WebSocket close (if the socket is still open), waits up to
    /// <see cref="WebSocketSignalingOptions.CloseTimeout"/> for the remote's close, then disposes the socket.
    /// </summary>
    /// <returns>A task that completes when the socket is released.</returns>
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await Task.WhenAny(_receiveLoop, Task.Delay(_closeTimeout)).ConfigureAwait(false);
            return;
        }

        TryCloseAndLog(new SignalingCloseInfo(SignalingCloseReason.Local));
        using (var timeout = new CancellationTokenSource(_closeTimeout))
        {
            try
            {
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    _sendLock.Release();
                }

                await _receiveLoop.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
            {
                // The remote did not finish the handshake in time, or the socket broke: abort below.
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Abort();
        _socket.Dispose();
        // Some hosts' streams do not wake a pending read on abort (for example after an ASP.NET Core
        // HttpContext.Abort()); never let disposal hang on them.
        try
        {
            await _receiveLoop.WaitAsync(_closeTimeout).ConfigureAwait(false);
            _stop.Dispose();
        }
        catch (TimeoutException)
        {
            // The loop ends when the host finally fails the read; the channel is already closed.
        }
    }

    /// <inheritdoc/>
    protected override async Task SendCoreAsync(SignalingMessage message, CancellationToken cancellationToken)
    {
        byte[] json = message.ToUtf8Json();
        if (json.Length > _maxMessageSize)
        {
            throw new SignalingException($"The {SignalingMessage.TypeName(message.Type)} message is {json.Length} bytes of JSON; the limit is {_maxMessageSize}.");
        }

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsClosed || _socket.State != WebSocketState.Open) { throw ClosedException(); }
            await _socket.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            if (IsClosed) { throw ClosedException(); }
            TryCloseAndLog(new SignalingCloseInfo(SignalingCloseReason.ConnectionLost, "Sending failed.", e));
            throw new SignalingException("Sending the signaling message failed: " + e.Message, e);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, _maxMessageSize + 1));
        int count = 0;
        SignalingCloseInfo? info = null;
        var stop = _stop.Token;
        try
        {
            while (info is null)
            {
                if (count == buffer.Length) { buffer = Grow(buffer, count); }
                var result = await _socket.ReceiveAsync(buffer.AsMemory(count), stop).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    info = new SignalingCloseInfo(SignalingCloseReason.Remote, CloseDescription(_socket));
                    await ReplyToCloseAsync().ConfigureAwait(false);
                    break;
                }

                count += result.Count;
                if (count > _maxMessageSize)
                {
                    string text = $"A received message is larger than the limit of {_maxMessageSize} bytes.";
                    info = new SignalingCloseInfo(SignalingCloseReason.ProtocolError, text, new SignalingException(text));
                    TryCloseAndLog(info);
                    await CloseOutputQuietlyAsync(WebSocketCloseStatus.MessageTooBig, "message too big").ConfigureAwait(false);
                    await DrainUntilCloseAsync(buffer, stop).ConfigureAwait(false);
                    break;
                }

                if (!result.EndOfMessage) { continue; }
                if (SignalingMessage.TryParse(buffer.AsSpan(0, count), out var message, out var error))
                {
                    // False once this side has closed: keep reading (and dropping) until the remote's close frame.
                    await DeliverAsync(message, stop).ConfigureAwait(false);
                }
                else
                {
                    long dropped = Interlocked.Increment(ref _dropped);
                    if (_logger is not null && (dropped <= 10 || BitOperations.IsPow2(dropped)))
                    {
                        SignalingLog.DroppedMalformed(_logger, count, error, dropped);
                    }
                }

                count = 0;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: the close is already recorded as Local.
        }
        catch (Exception e)
        {
            // WebSocketException, IOException, ObjectDisposedException, and OperationCanceledException
            // without our stop: the socket was aborted under the read (.NET's WebSocket aborts itself
            // when a send is canceled midway; ASP.NET Core's ConnectionAbortedException is one too).
            // Whatever the host's stream throws, the channel must close, or Completion never would.
            info = new SignalingCloseInfo(SignalingCloseReason.ConnectionLost, e.Message, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        TryCloseAndLog(info ?? new SignalingCloseInfo(SignalingCloseReason.Local));
    }

    // After closing for a protocol error, read and discard until the remote's close frame (bounded by
    // the close timeout), so the close frame is not lost to a TCP reset caused by unread data.
    private async Task DrainUntilCloseAsync(byte[] buffer, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_closeTimeout);
        try
        {
            while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), timeout.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close) { break; }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }

    private byte[] Grow(byte[] buffer, int count)
    {
        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)_maxMessageSize + 1));
        buffer.AsSpan(0, count).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    // The remote started the close handshake: answer it so the remote sees an orderly close.
    private Task ReplyToCloseAsync() =>
        _socket.State == WebSocketState.CloseReceived
            ? CloseOutputQuietlyAsync(WebSocketCloseStatus.NormalClosure, "bye")
            : Task.CompletedTask;

    private async Task CloseOutputQuietlyAsync(WebSocketCloseStatus status, string description)
    {
        using var timeout = new CancellationTokenSource(_closeTimeout);
        try
        {
            await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }

    private void TryCloseAndLog(SignalingCloseInfo info)
    {
        if (TryClose(info) && _logger is not null)
        {
            SignalingLog.Closed(_logger, info.Error, info.Reason, info.Description);
        }
    }

    private static string CloseDescription(WebSocket socket) =>
        socket.CloseStatus is { } status
            ? $"WebSocket closed by the remote: {(int)status} {status}{(string.IsNullOrEmpty(socket.CloseStatusDescription) ? "" : " \"" + socket.CloseStatusDescription + "\"")}"
            : "WebSocket closed by the remote without a status";

    private static WebSocketSignalingOptions CheckOptions(WebSocketSignalingOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxMessageSize, 64, "options.MaxMessageSize");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxMessageSize, 256 * 1024 * 1024, "options.MaxMessageSize");
        ArgumentOutOfRangeException.ThrowIfNegative(options.InboxCapacity, "options.InboxCapacity");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CloseTimeout, TimeSpan.Zero, "options.CloseTimeout");
        return options;
    }
}
