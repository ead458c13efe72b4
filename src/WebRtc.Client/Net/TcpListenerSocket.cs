using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace WebRtc.Client.Net;

/// <summary>
/// A listening TCP socket (an ICE-TCP passive candidate, RFC 6544 §4) with one accept loop that
/// wraps each accepted connection in a <see cref="FramedTcpConnection"/>. Accept errors never
/// escape the loop, and the number of live accepted connections is capped, so hostile peers
/// cannot exhaust the process.
/// </summary>
public sealed class TcpListenerSocket : IDisposable, IAsyncDisposable
{
    /// <summary>Kernel queue of connections not yet accepted.</summary>
    private const int Backlog = 128;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cts = new();
    private readonly LogRateLimiter _acceptErrorLog = new(TimeSpan.FromSeconds(1));
    private readonly LogRateLimiter _refusedLog = new(TimeSpan.FromSeconds(1));

    private Task _acceptLoop = Task.CompletedTask;
    private int _maxPendingConnections = 64;
    private int _started;
    private int _disposed;
    private int _liveConnections;
    private long _connectionsAccepted;
    private long _connectionsRefused;

    private TcpListenerSocket(Socket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>The bound local address and port (the actual port when bound to port 0).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// Most accepted connections alive at once (not yet closed); connections beyond it are closed
    /// as soon as they are accepted, with a Debug log. Default 64. Set before <see cref="Start"/>
    /// or at any time; it applies to the next accepted connection.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int MaxPendingConnections
    {
        get => Volatile.Read(ref _maxPendingConnections);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            Volatile.Write(ref _maxPendingConnections, value);
        }
    }

    /// <summary>Accepted connections that are still open.</summary>
    public int LiveConnections => Volatile.Read(ref _liveConnections);

    /// <summary>Connections accepted and handed to the callback.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);

    /// <summary>Connections closed at once because <see cref="MaxPendingConnections"/> were live.</summary>
    public long ConnectionsRefused => Interlocked.Read(ref _connectionsRefused);

    /// <summary>Binds and listens on <paramref name="localEndPoint"/>; port 0 picks an ephemeral port.</summary>
    /// <param name="localEndPoint">Local address and port.</param>
    /// <param name="logger">Logger for Debug-level network diagnostics; null for none.</param>
    /// <param name="socketFactory">Creates the socket; null for <c>new Socket(...)</c>.</param>
    /// <returns>The listening socket; call <see cref="Start"/> to accept.</returns>
    /// <exception cref="SocketException">The address cannot be bound (in use, not local, ...).</exception>
    public static TcpListenerSocket Bind(IPEndPoint localEndPoint, ILogger? logger = null, SocketFactory? socketFactory = null)
    {
        ArgumentNullException.ThrowIfNull(localEndPoint);
        var log = logger ?? NullLogger.Instance;
        return new TcpListenerSocket(CreateAndListen(localEndPoint, socketFactory), log);
    }

    /// <summary>
    /// Binds and listens on <paramref name="address"/> at the first free port in
    /// [<paramref name="minPort"/>, <paramref name="maxPort"/>], starting at a random port of the
    /// range and wrapping around (as <see cref="UdpSocket.BindInRange"/> does).
    /// </summary>
    /// <param name="address">Local address.</param>
    /// <param name="minPort">Lowest acceptable port, 1..65535.</param>
    /// <param name="maxPort">Highest acceptable port, <paramref name="minPort"/>..65535.</param>
    /// <param name="logger">Logger for Debug-level network diagnostics; null for none.</param>
    /// <param name="socketFactory">Creates each socket tried; null for <c>new Socket(...)</c>.</param>
    /// <returns>The listening socket; call <see cref="Start"/> to accept.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or outside 1..65535.</exception>
    /// <exception cref="InvalidOperationException">Every port of the range is in use.</exception>
    /// <exception cref="SocketException">The address itself cannot be bound (not a local address, ...).</exception>
    public static TcpListenerSocket BindInRange(IPAddress address, int minPort, int maxPort, ILogger? logger = null, SocketFactory? socketFactory = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfLessThan(minPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPort, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minPort, maxPort);

        var log = logger ?? NullLogger.Instance;
        int count = maxPort - minPort + 1;
        int offset = Random.Shared.Next(count);
        SocketException? last = null;
        for (int i = 0; i < count; i++)
        {
            int port = minPort + ((offset + i) % count);
            try
            {
                return new TcpListenerSocket(CreateAndListen(new IPEndPoint(address, port), socketFactory), log);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                last = ex;
            }
        }

        throw new InvalidOperationException(
            $"No free TCP port on {address} in the range {minPort}-{maxPort}: all {count} ports are in use.", last);
    }

    /// <summary>
    /// Starts the accept loop. Each accepted connection is wrapped with <paramref name="options"/>
    /// and handed to <paramref name="onAccepted"/> on the accept loop, not started: the owner
    /// subscribes to <see cref="FramedTcpConnection.Closed"/>, calls
    /// <see cref="FramedTcpConnection.Start"/> and disposes it. A throwing callback is logged and
    /// the connection closed. Call once.
    /// </summary>
    /// <param name="options">Options of the accepted connections (TLS settings are ignored).</param>
    /// <param name="onAccepted">Receives each accepted connection.</param>
    /// <exception cref="InvalidOperationException">The loop was already started.</exception>
    /// <exception cref="ObjectDisposedException">The listener is disposed.</exception>
    public void Start(TcpConnectionOptions options, Action<FramedTcpConnection> onAccepted)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onAccepted);
        options.Validate();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The accept loop of this TcpListenerSocket is already started.");
        }

        _acceptLoop = Task.Run(() => AcceptLoopAsync(options, onAccepted));
    }

    /// <summary>Stops listening without waiting for the accept loop; accepted connections stay open.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _cts.Cancel();
        _socket.Dispose();
    }

    /// <summary>Stops listening and waits for the accept loop to end; accepted connections stay open.</summary>
    /// <returns>A task that completes when the loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        await _acceptLoop.ConfigureAwait(false);
    }

    private static Socket CreateAndListen(IPEndPoint localEndPoint, SocketFactory? socketFactory)
    {
        var socket = SocketFactories.Create(socketFactory, localEndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (localEndPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // One socket per address family, as for UDP: no v4-mapped peers on a v6 candidate.
                socket.DualMode = false;
            }

            if (OperatingSystem.IsWindows())
            {
                socket.ExclusiveAddressUse = true; // else another socket may share the port
            }

            // Bind and Listen under one catch: where SO_REUSEADDR is set (a socket factory may set
            // it) a port binds twice and only Listen reports AddressAlreadyInUse.
            socket.Bind(localEndPoint);
            socket.Listen(Backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(TcpConnectionOptions options, Action<FramedTcpConnection> onAccepted)
    {
        var token = _cts.Token;
        int consecutiveErrors = 0;
        try
        {
            while (!token.IsCancellationRequested)
            {
                Socket accepted;
                try
                {
                    accepted = await _socket.AcceptAsync(token).ConfigureAwait(false);
                    consecutiveErrors = 0;
                }
                catch (Exception ex) when (token.IsCancellationRequested || Volatile.Read(ref _disposed) != 0 || ex is ObjectDisposedException)
                {
                    break;
                }
                catch (SocketException ex)
                {
                    // ConnectionAborted (reset while queued), TooManyOpenFiles, ...: the listener lives on.
                    if (_acceptErrorLog.TryAcquire(out long suppressed))
                    {
                        NetLog.TcpAcceptError(_logger, LocalEndPoint, ex.SocketErrorCode, suppressed);
                    }

                    await BackOffAsync(++consecutiveErrors, token).ConfigureAwait(false);
                    continue;
                }
                catch (Exception ex)
                {
                    if (_acceptErrorLog.TryAcquire(out long suppressed))
                    {
                        NetLog.TcpUnexpectedAcceptError(_logger, ex, LocalEndPoint, suppressed);
                    }

                    await BackOffAsync(++consecutiveErrors, token).ConfigureAwait(false);
                    continue;
                }

                Hand(accepted, options, onAccepted);
            }
        }
        finally
        {
            NetLog.TcpAcceptLoopEnded(_logger, LocalEndPoint);
        }
    }

    private void Hand(Socket accepted, TcpConnectionOptions options, Action<FramedTcpConnection> onAccepted)
    {
        int limit = MaxPendingConnections;
        if (Interlocked.Increment(ref _liveConnections) > limit)
        {
            Interlocked.Decrement(ref _liveConnections);
            Interlocked.Increment(ref _connectionsRefused);
            if (_refusedLog.TryAcquire(out long suppressed))
            {
                NetLog.TcpAcceptRefused(_logger, LocalEndPoint, SafeRemote(accepted), limit, suppressed);
            }

            accepted.Dispose();
            return;
        }

        FramedTcpConnection connection;
        try
        {
            connection = FramedTcpConnection.FromAccepted(accepted, options, _ => Interlocked.Decrement(ref _liveConnections));
        }
        catch (Exception ex)
        {
            // E.g. the peer reset before the socket could be set up.
            Interlocked.Decrement(ref _liveConnections);
            NetLog.TcpAcceptSetupFailed(_logger, ex, LocalEndPoint);
            accepted.Dispose();
            return;
        }

        Interlocked.Increment(ref _connectionsAccepted);
        NetLog.TcpAccepted(_logger, LocalEndPoint, connection.RemoteEndPoint);
        try
        {
            onAccepted(connection);
        }
        catch (Exception ex)
        {
            NetLog.TcpAcceptCallbackError(_logger, ex, LocalEndPoint, connection.RemoteEndPoint);
            connection.Dispose();
        }
    }

    private static EndPoint? SafeRemote(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Persistent accept errors (out of descriptors) would otherwise spin a core.</summary>
    private static async ValueTask BackOffAsync(int consecutiveErrors, CancellationToken token)
    {
        if (consecutiveErrors < 4)
        {
            return;
        }

        try
        {
            await Task.Delay(Math.Min(consecutiveErrors * 10, 1000), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposal: the loop condition ends the loop.
        }
    }
}
