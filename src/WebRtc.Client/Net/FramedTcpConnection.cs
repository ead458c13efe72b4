using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace WebRtc.Client.Net;

/// <summary>
/// Handles one received frame. <paramref name="frame"/> points into the connection's receive
/// buffer and is valid only until the handler returns: copy what must outlive the call.
/// </summary>
/// <param name="connection">The connection that received the frame.</param>
/// <param name="frame">The frame, without RFC 4571 length prefix or ChannelData padding.</param>
public delegate void FrameHandler(FramedTcpConnection connection, ReadOnlySpan<byte> frame);

/// <summary>
/// One TCP connection (optionally TLS) that carries frames: RFC 4571 length-prefixed (ICE-TCP,
/// RFC 6544) or self-delimiting STUN/ChannelData (TURN over TCP/TLS, RFC 8656). Frames are
/// received on one loop and handed to the handler inline, in order; <see cref="TrySend"/> copies
/// into pooled chunks that one writer loop drains and never blocks, so frames never interleave
/// and a stalled peer costs dropped frames, not a stalled caller. Neither direction allocates
/// per frame. Network errors and hostile input never escape: the connection closes and
/// <see cref="Closed"/> says why.
/// </summary>
public sealed class FramedTcpConnection : IDisposable, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly TcpFraming _framing;
    private readonly ILogger _logger;
    private readonly TcpFrameReader _reader;
    private readonly Action<FramedTcpConnection>? _onClosedInternal;
    private readonly CancellationTokenSource _cts = new();
    private readonly TcpSendQueue _sendQueue;

    private readonly LogRateLimiter _sendDropLog = new(TimeSpan.FromSeconds(1));
    private readonly LogRateLimiter _handlerErrorLog = new(TimeSpan.FromSeconds(1));

    private readonly Task _writeLoop;
    private Task _readLoop = Task.CompletedTask;
    private int _started;
    private int _closed;
    private int _disposed;
    private int _handlerThreadId;

    private long _framesReceived;
    private long _framesSent;
    private long _bytesReceived;
    private long _bytesSent;
    private long _framesDropped;

    private FramedTcpConnection(Socket socket, Stream stream, TcpConnectionOptions options, ILogger logger, Action<FramedTcpConnection>? onClosedInternal)
    {
        _stream = stream;
        _framing = options.Framing;
        _logger = logger;
        _sendQueue = new TcpSendQueue(options.SendQueueLimit);
        _onClosedInternal = onClosedInternal;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
        _reader = new TcpFrameReader(options.Framing);
        NetLog.TcpConnected(_logger, LocalEndPoint, RemoteEndPoint, _framing, stream is SslStream);

        // Sending works before Start: a caller may speak first (a TURN Allocate, an ICE check).
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Raised once when the connection ends: null for a clean end of stream from the peer or a
    /// local <see cref="Dispose"/>, else the failure (an <see cref="IOException"/>, or an
    /// <see cref="InvalidDataException"/> for a stream that cannot be framed). Raised without
    /// locks held, on the loop that saw the end or on the disposing thread; a throwing handler
    /// is logged, not propagated.
    /// </summary>
    public event EventHandler<Exception?>? Closed;

    /// <summary>The local address and port.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The peer's address and port.</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The framing of this connection.</summary>
    public TcpFraming Framing => _framing;

    /// <summary>True until the connection closed, for whatever reason.</summary>
    public bool IsConnected => Volatile.Read(ref _closed) == 0;

    /// <summary>Frames handed to the handler.</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>Frames written to the stream.</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Bytes read from the stream (framing included; after TLS decryption).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Bytes written to the stream (framing included; before TLS encryption).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Frames <see cref="TrySend"/> dropped because the send queue was full.</summary>
    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    /// <summary>
    /// Connects to <paramref name="remote"/> (binding <see cref="TcpConnectionOptions.LocalEndPoint"/>
    /// first when set) and, with <see cref="TcpConnectionOptions.TlsTargetHost"/>, runs the TLS
    /// client handshake. The connection can send at once; call <see cref="Start"/> to receive.
    /// </summary>
    /// <param name="remote">The peer.</param>
    /// <param name="options">Framing, TLS, socket factory and limits.</param>
    /// <param name="cancellationToken">Abandons the attempt.</param>
    /// <returns>The open connection.</returns>
    /// <exception cref="SocketException">The connection was refused, or the local address cannot be bound.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The TLS handshake failed or the certificate was refused.</exception>
    /// <exception cref="IOException">The peer closed the connection during the TLS handshake.</exception>
    /// <exception cref="TimeoutException">Connect and handshake took longer than <see cref="TcpConnectionOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<FramedTcpConnection> ConnectAsync(IPEndPoint remote, TcpConnectionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var logger = options.Logger ?? NullLogger.Instance;
        var socket = SocketFactories.Create(options.SocketFactory, remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Stream? stream = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            // Small frames (STUN checks, DTLS flights, RTP) must leave now, not after Nagle's 40 ms.
            socket.NoDelay = true;
            if (options.LocalEndPoint is not null)
            {
                socket.Bind(options.LocalEndPoint);
            }

            await socket.ConnectAsync(remote, timeout.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (options.TlsTargetHost is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = options.TlsTargetHost,
                        RemoteCertificateValidationCallback = options.TlsCertificateValidation,
                    },
                    timeout.Token).ConfigureAwait(false);
            }

            return new FramedTcpConnection(socket, stream, options, logger, onClosedInternal: null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            DisposeQuietly(stream, socket);
            throw new TimeoutException($"No TCP{(options.TlsTargetHost is null ? "" : "/TLS")} connection to {remote} within {options.ConnectTimeout}.");
        }
        catch
        {
            DisposeQuietly(stream, socket);
            throw;
        }
    }

    /// <summary>
    /// Wraps a socket returned by <see cref="Socket.Accept"/> (server side; TLS settings are
    /// ignored). The connection owns the socket from now on.
    /// </summary>
    /// <param name="accepted">A connected stream socket.</param>
    /// <param name="options">Framing, logger and limits.</param>
    /// <returns>The connection; call <see cref="Start"/> to receive.</returns>
    /// <exception cref="ArgumentException">The socket is not a connected TCP socket.</exception>
    public static FramedTcpConnection FromAccepted(Socket accepted, TcpConnectionOptions options) =>
        FromAccepted(accepted, options, onClosedInternal: null);

    /// <summary><see cref="FromAccepted(Socket, TcpConnectionOptions)"/> with a close callback set before any loop runs.</summary>
    internal static FramedTcpConnection FromAccepted(Socket accepted, TcpConnectionOptions options, Action<FramedTcpConnection>? onClosedInternal)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (accepted.SocketType != SocketType.Stream || accepted.RemoteEndPoint is not IPEndPoint || accepted.LocalEndPoint is not IPEndPoint)
        {
            throw new ArgumentException("The socket is not a connected TCP/IP socket.", nameof(accepted));
        }

        accepted.NoDelay = true;
        var stream = new NetworkStream(accepted, ownsSocket: true);
        return new FramedTcpConnection(accepted, stream, options, options.Logger ?? NullLogger.Instance, onClosedInternal);
    }

    /// <summary>
    /// Starts the read loop: frames go to <paramref name="onFrame"/> inline, in stream order. A
    /// throwing handler is logged and the connection stays up. Call once; on a connection that
    /// has already closed it does nothing (<see cref="Closed"/> was raised).
    /// </summary>
    /// <param name="onFrame">Called for each frame, on the read loop.</param>
    /// <exception cref="InvalidOperationException">The read loop was already started.</exception>
    /// <exception cref="ObjectDisposedException">The connection is disposed.</exception>
    public void Start(FrameHandler onFrame)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            if (Volatile.Read(ref _closed) != 0)
            {
                return; // closed before anyone read: the reader went with it
            }

            throw new InvalidOperationException("The read loop of this FramedTcpConnection is already started.");
        }

        _readLoop = Task.Run(() => ReadLoopAsync(onFrame));
    }

    /// <summary>
    /// Queues one frame. Never blocks and never throws: <see cref="TcpFraming.Rfc4571"/> adds the
    /// length prefix, <see cref="TcpFraming.Stun"/> sends the bytes as given (ChannelData padded by
    /// the caller, RFC 8656 §12.5). The frame is copied, so the span may be reused at once.
    /// </summary>
    /// <param name="frame">The frame; at most 65535 bytes for RFC 4571, at most a STUN header plus 65535 for STUN.</param>
    /// <returns>
    /// False (logged at Debug) when the connection is closed, the frame is empty or too long, or
    /// the queued bytes would pass <see cref="TcpConnectionOptions.SendQueueLimit"/>.
    /// </returns>
    public bool TrySend(ReadOnlySpan<byte> frame)
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            return SendDropped(frame.Length, "connection closed");
        }

        int header = _framing == TcpFraming.Rfc4571 ? 2 : 0;
        int maxLength = header != 0 ? ushort.MaxValue : TcpFrameReader.MaxStreamFrameLength;
        if (frame.Length > maxLength || (frame.IsEmpty && header == 0))
        {
            return SendDropped(frame.Length, "bad length");
        }

        Span<byte> prefix = stackalloc byte[header];
        if (header != 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)frame.Length); // RFC 4571 §2
        }

        switch (_sendQueue.TryEnqueue(prefix, frame))
        {
            case TcpEnqueueResult.Enqueued:
                return true;
            case TcpEnqueueResult.Full:
                Interlocked.Increment(ref _framesDropped);
                return SendDropped(frame.Length, "send queue full");
            default:
                return SendDropped(frame.Length, "connection closed");
        }
    }

    /// <summary>
    /// Closes the connection without waiting for the loops; frames still queued are dropped.
    /// Raises <see cref="Closed"/> (null) when the connection was still open.
    /// </summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, 1);
        Close(null);
    }

    /// <summary>
    /// Closes the connection and waits for its loops to end (except the read loop when called
    /// from the frame handler itself, where waiting would deadlock).
    /// </summary>
    /// <returns>A task that completes when the loops have ended.</returns>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        if (Volatile.Read(ref _handlerThreadId) != Environment.CurrentManagedThreadId)
        {
            await _readLoop.ConfigureAwait(false);
        }

        await _writeLoop.ConfigureAwait(false);
    }

    private static void DisposeQuietly(Stream? stream, Socket socket)
    {
        try
        {
            stream?.Dispose();
        }
        catch (Exception)
        {
            // Closing a half-made connection: nothing to report beyond the original failure.
        }

        socket.Dispose();
    }

    private async Task ReadLoopAsync(FrameHandler onFrame)
    {
        var token = _cts.Token;
        Exception? failure = null;
        try
        {
            while (true)
            {
                int received;
                try
                {
                    received = await _stream.ReadAsync(_reader.GetReadBuffer(), token).ConfigureAwait(false);
                }
                catch (Exception) when (Volatile.Read(ref _closed) != 0)
                {
                    return; // closed locally or by the writer loop: already reported
                }
                catch (Exception ex)
                {
                    // IOException (reset, TLS failure), SocketException: the stream is gone.
                    failure = ex;
                    break;
                }

                if (received == 0)
                {
                    // A clean end of stream, though a peer that stops mid-frame loses that frame.
                    if (_reader.Buffered > 0)
                    {
                        NetLog.TcpTruncated(_logger, LocalEndPoint, RemoteEndPoint, _reader.Buffered);
                    }

                    break;
                }

                Interlocked.Add(ref _bytesReceived, received);
                _reader.Advance(received);
                if (!DeliverFrames(onFrame))
                {
                    NetLog.TcpCorruptStream(_logger, LocalEndPoint, RemoteEndPoint, _reader.CorruptByte);
                    failure = new InvalidDataException(
                        $"The TCP stream from {RemoteEndPoint} is corrupt: byte 0x{_reader.CorruptByte:X2} starts neither a STUN nor a ChannelData message (RFC 8656 §12.5).");
                    break;
                }
            }
        }
        finally
        {
            // Only the loop knows when the handler is done with frames that point into the buffer.
            _reader.Dispose();
        }

        Close(failure);
    }

    /// <summary>Hands out every whole frame buffered; false when the stream turned out corrupt.</summary>
    private bool DeliverFrames(FrameHandler onFrame)
    {
        _handlerThreadId = Environment.CurrentManagedThreadId;
        try
        {
            // Checked per frame: a handler that disposes the connection gets no further frames.
            while (Volatile.Read(ref _closed) == 0)
            {
                var status = _reader.TryReadFrame(out var frame);
                if (status != TcpFrameStatus.Frame)
                {
                    return status == TcpFrameStatus.NeedMore;
                }

                Interlocked.Increment(ref _framesReceived);
                try
                {
                    onFrame(this, frame);
                }
                catch (Exception ex)
                {
                    if (_handlerErrorLog.TryAcquire(out long suppressed))
                    {
                        NetLog.TcpHandlerError(_logger, ex, LocalEndPoint, RemoteEndPoint, suppressed);
                    }
                }
            }

            return true;
        }
        finally
        {
            _handlerThreadId = 0;
        }
    }

    private async Task WriteLoopAsync()
    {
        var token = _cts.Token;
        Exception? failure = null;
        try
        {
            while (true)
            {
                var result = _sendQueue.TryTake(out var chunk, out var wake);
                if (result == TcpTakeResult.Closed)
                {
                    break;
                }

                if (result == TcpTakeResult.Wait)
                {
                    await wake.ConfigureAwait(false);
                    continue;
                }

                // A chunk holds whatever queued up meanwhile: many small frames leave in one
                // write (one syscall, one TLS record), which under load is most of the cost.
                try
                {
                    await _stream.WriteAsync(chunk.Buffer.AsMemory(0, chunk.Length), token).ConfigureAwait(false);
                }
                finally
                {
                    TcpSendQueue.ReturnChunk(chunk);
                }

                Interlocked.Add(ref _framesSent, chunk.Frames);
                Interlocked.Add(ref _bytesSent, chunk.Length);
            }
        }
        catch (Exception) when (Volatile.Read(ref _closed) != 0)
        {
            // Closed locally or by the read loop: already reported.
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        Close(failure);
    }

    private void Close(Exception? reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _sendQueue.Close();
        try
        {
            _cts.Cancel();
        }
        catch (AggregateException)
        {
            // A cancellation callback of a pending socket operation threw; the socket closes below anyway.
        }

        try
        {
            _stream.Dispose();
        }
        catch (Exception)
        {
            // The stream is broken already (a TLS stream may even object to closing while a
            // write is pending); closing it is all that was left to do, and Close runs on loops.
        }

        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _reader.Dispose(); // no read loop ever ran, so nothing else would return its buffer
        }

        NetLog.TcpClosed(_logger, reason, LocalEndPoint, RemoteEndPoint, reason is null ? "closed" : reason.GetType().Name);
        _onClosedInternal?.Invoke(this);
        EventInvoker.Raise(Closed, this, reason, _logger, nameof(Closed));
    }

    private bool SendDropped(int length, string reason)
    {
        if (_sendDropLog.TryAcquire(out long suppressed))
        {
            NetLog.TcpSendDropped(_logger, LocalEndPoint, RemoteEndPoint, length, reason, suppressed);
        }

        return false;
    }
}
