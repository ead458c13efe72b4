using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace WebRtc.Client.Net;

/// <summary>
/// Handles one received datagram. <paramref name="datagram"/> points into the socket's reused
/// receive buffer and is valid only until the handler returns: copy what must outlive the call.
/// <paramref name="remote"/> is cached and shared between calls from the same sender; it must
/// not be modified.
/// </summary>
/// <param name="socket">The socket that received the datagram.</param>
/// <param name="datagram">The datagram payload.</param>
/// <param name="remote">The sender.</param>
public delegate void DatagramHandler(UdpSocket socket, ReadOnlySpan<byte> datagram, IPEndPoint remote);

/// <summary>
/// One bound UDP socket on one local address, with a single allocation-free receive loop and a
/// synchronous, allocation-free send. Network errors never escape: receive errors are logged and
/// the loop goes on, send errors make <see cref="TrySend"/> return false.
/// </summary>
public sealed class UdpSocket : IDisposable, IAsyncDisposable
{
    /// <summary>Size of the receive buffer: large enough for any UDP payload.</summary>
    private const int ReceiveBufferSize = 65536;

    /// <summary>Requested SO_RCVBUF/SO_SNDBUF; the kernel may cap it (Linux: net.core.rmem_max).</summary>
    private const int SocketBufferSize = 1024 * 1024;

    /// <summary>
    /// Upper bound of cached remote endpoints per direction. A peer talks to few remotes, so
    /// hitting it means a scan or an attack; the cache is then simply cleared.
    /// </summary>
    private const int MaxCachedRemotes = 1024;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cts = new();
    private readonly LogRateLimiter _receiveErrorLog = new(TimeSpan.FromSeconds(1));
    private readonly LogRateLimiter _sendErrorLog = new(TimeSpan.FromSeconds(1));
    private readonly LogRateLimiter _handlerErrorLog = new(TimeSpan.FromSeconds(1));

    // Receive side: touched only by the receive loop, so no locking.
    private readonly Dictionary<SocketAddress, IPEndPoint> _receiveCache = new();

    // Send side: TrySend may be called from any thread.
    private readonly ConcurrentDictionary<EndPointKey, SocketAddress> _sendCache = new();

    private Task _receiveLoop = Task.CompletedTask;
    private int _started;
    private int _disposed;
    private int _handlerThreadId;

    private long _datagramsReceived;
    private long _datagramsSent;
    private long _bytesReceived;
    private long _bytesSent;
    private long _receiveErrors;
    private long _sendErrors;

    private UdpSocket(Socket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>The bound local address and port (the actual port when bound to port 0).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The address family of the socket (IPv4 or IPv6; IPv6 sockets are IPv6-only).</summary>
    public AddressFamily AddressFamily => LocalEndPoint.AddressFamily;

    /// <summary>Datagrams handed to the handler.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _datagramsReceived);

    /// <summary>Datagrams accepted by the kernel for sending.</summary>
    public long DatagramsSent => Interlocked.Read(ref _datagramsSent);

    /// <summary>Payload bytes handed to the handler.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Payload bytes accepted by the kernel for sending.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Receive errors the loop survived (ICMP errors reported by the OS, truncation, ...).</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>Sends that returned false.</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>The underlying socket, for layers that need extra options (multicast, DSCP).</summary>
    internal Socket Socket => _socket;

    /// <summary>Binds a UDP socket to <paramref name="localEndPoint"/>; port 0 picks an ephemeral port.</summary>
    /// <param name="localEndPoint">Local address and port.</param>
    /// <param name="logger">Logger for Debug-level network diagnostics; null for none.</param>
    /// <param name="socketFactory">Creates the socket; null for <c>new Socket(...)</c>.</param>
    /// <returns>The bound socket; call <see cref="Start"/> to receive.</returns>
    /// <exception cref="SocketException">The address cannot be bound (in use, not local, ...).</exception>
    public static UdpSocket Bind(IPEndPoint localEndPoint, ILogger? logger = null, SocketFactory? socketFactory = null)
    {
        ArgumentNullException.ThrowIfNull(localEndPoint);
        var log = logger ?? NullLogger.Instance;
        var socket = CreateAndBind(localEndPoint, log, socketFactory);
        return new UdpSocket(socket, log);
    }

    /// <summary>
    /// Binds a UDP socket on <paramref name="address"/> to the first free port in
    /// [<paramref name="minPort"/>, <paramref name="maxPort"/>]. The search starts at a random
    /// port of the range and wraps around, so peers sharing a range do not all race for its
    /// first port.
    /// </summary>
    /// <param name="address">Local address.</param>
    /// <param name="minPort">Lowest acceptable port, 1..65535.</param>
    /// <param name="maxPort">Highest acceptable port, <paramref name="minPort"/>..65535.</param>
    /// <param name="logger">Logger for Debug-level network diagnostics; null for none.</param>
    /// <param name="socketFactory">Creates each socket tried; null for <c>new Socket(...)</c>.</param>
    /// <returns>The bound socket; call <see cref="Start"/> to receive.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or outside 1..65535.</exception>
    /// <exception cref="InvalidOperationException">Every port of the range is in use.</exception>
    /// <exception cref="SocketException">The address itself cannot be bound (not a local address, ...).</exception>
    public static UdpSocket BindInRange(IPAddress address, int minPort, int maxPort, ILogger? logger = null, SocketFactory? socketFactory = null)
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
                return new UdpSocket(CreateAndBind(new IPEndPoint(address, port), log, socketFactory), log);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                // AccessDenied: Windows reports ports held by another socket with exclusive use this way.
                last = ex;
            }
        }

        throw new InvalidOperationException(
            $"No free UDP port on {address} in the range {minPort}-{maxPort}: all {count} ports are in use.", last);
    }

    /// <summary>
    /// Starts the receive loop: one task that receives into one pooled buffer and calls
    /// <paramref name="handler"/> inline for each datagram. A throwing handler is logged and the
    /// loop goes on. Call once.
    /// </summary>
    /// <param name="handler">Called for each datagram, on the receive loop.</param>
    /// <exception cref="InvalidOperationException">The loop was already started.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    public void Start(DatagramHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The receive loop of this UdpSocket is already started.");
        }

        // Task.Run, not LongRunning: the loop awaits, so a dedicated thread would only live
        // until the first await. Between datagrams it holds no thread at all.
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(handler));
    }

    /// <summary>
    /// Sends one datagram. Never throws for network reasons: returns false (and logs at Debug)
    /// when the OS refuses it, when <paramref name="remote"/> is of the other address family, or
    /// when the socket is disposed. Allocation-free for a remote it has sent to before. May block
    /// briefly when the kernel send buffer is full.
    /// </summary>
    /// <param name="datagram">The payload.</param>
    /// <param name="remote">The destination.</param>
    /// <returns>True when the kernel accepted the datagram.</returns>
    public bool TrySend(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (remote.AddressFamily != LocalEndPoint.AddressFamily)
        {
            return SendFailed(remote, SocketError.AddressFamilyNotSupported);
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            return SendFailed(remote, SocketError.Shutdown);
        }

        try
        {
            int sent = _socket.SendTo(datagram, SocketFlags.None, GetSendAddress(remote));
            Interlocked.Increment(ref _datagramsSent);
            Interlocked.Add(ref _bytesSent, sent);
            return true;
        }
        catch (SocketException ex)
        {
            return SendFailed(remote, ex.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            return SendFailed(remote, SocketError.Shutdown);
        }
    }

    /// <summary>Closes the socket and stops the receive loop without waiting for it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Cancel first so the loop sees a clean "stop" rather than a socket error.
        _cts.Cancel();
        _socket.Dispose();
    }

    /// <summary>
    /// Closes the socket and waits for the receive loop to end (unless called from the handler
    /// itself, where waiting would deadlock).
    /// </summary>
    /// <returns>A task that completes when the loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        if (Volatile.Read(ref _handlerThreadId) != Environment.CurrentManagedThreadId)
        {
            await _receiveLoop.ConfigureAwait(false);
        }
    }

    private static Socket CreateAndBind(IPEndPoint localEndPoint, ILogger logger, SocketFactory? socketFactory)
    {
        var socket = SocketFactories.Create(socketFactory, localEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (localEndPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // One socket per address family keeps candidates honest: no v4-mapped surprises.
                socket.DualMode = false;
            }

            if (OperatingSystem.IsWindows())
            {
                // Without this, Windows lets another socket steal the port, defeating BindInRange.
                socket.ExclusiveAddressUse = true;

                // SIO_UDP_CONNRESET off: otherwise an ICMP port unreachable fails the next receive.
                const int SioUdpConnReset = -1744830452;
                try
                {
                    socket.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
                }
                catch (SocketException)
                {
                    // Not fatal: the receive loop survives ConnectionReset anyway.
                }
            }

            socket.Bind(localEndPoint);
            var bound = (IPEndPoint)socket.LocalEndPoint!;
            TrySetOption(socket, SocketOptionName.ReceiveBuffer, bound, logger);
            TrySetOption(socket, SocketOptionName.SendBuffer, bound, logger);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void TrySetOption(Socket socket, SocketOptionName option, IPEndPoint local, ILogger logger)
    {
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, option, SocketBufferSize);
        }
        catch (SocketException)
        {
            // The defaults still work; large buffers only absorb bursts.
            NetLog.SocketOptionFailed(logger, local, option);
        }
    }

    private async Task ReceiveLoopAsync(DatagramHandler handler)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
        var family = LocalEndPoint.AddressFamily;
        int addressSize = SocketAddress.GetMaximumAddressSize(family);
        var from = new SocketAddress(family, addressSize);
        var token = _cts.Token;
        var memory = buffer.AsMemory();
        int consecutiveErrors = 0;
        NetLog.ReceiveLoopStarted(_logger, LocalEndPoint);
        try
        {
            while (!token.IsCancellationRequested)
            {
                int received;
                try
                {
                    from.Size = addressSize;
                    received = await _socket.ReceiveFromAsync(memory, SocketFlags.None, from, token).ConfigureAwait(false);
                    consecutiveErrors = 0;
                }
                catch (Exception ex) when (IsShutdown(ex, token))
                {
                    break;
                }
                catch (SocketException ex)
                {
                    // ICMP errors (ConnectionReset/Refused, HostUnreachable), MessageSize, ...:
                    // a UDP socket stays usable after all of them.
                    Interlocked.Increment(ref _receiveErrors);
                    if (_receiveErrorLog.TryAcquire(out long suppressed))
                    {
                        NetLog.ReceiveError(_logger, LocalEndPoint, ex.SocketErrorCode, suppressed);
                    }

                    await BackOffAsync(++consecutiveErrors, token).ConfigureAwait(false);
                    continue;
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref _receiveErrors);
                    if (_receiveErrorLog.TryAcquire(out long suppressed))
                    {
                        NetLog.UnexpectedReceiveError(_logger, ex, LocalEndPoint, suppressed);
                    }

                    await BackOffAsync(++consecutiveErrors, token).ConfigureAwait(false);
                    continue;
                }

                var remote = GetRemoteEndPoint(from);
                Interlocked.Increment(ref _datagramsReceived);
                Interlocked.Add(ref _bytesReceived, received);
                try
                {
                    _handlerThreadId = Environment.CurrentManagedThreadId;
                    handler(this, buffer.AsSpan(0, received), remote);
                }
                catch (Exception ex)
                {
                    if (_handlerErrorLog.TryAcquire(out long suppressed))
                    {
                        NetLog.HandlerError(_logger, ex, LocalEndPoint, suppressed);
                    }
                }
                finally
                {
                    _handlerThreadId = 0;
                }
            }
        }
        finally
        {
            // Returned here, not in Dispose: only the loop knows when the buffer is no longer in use.
            ArrayPool<byte>.Shared.Return(buffer);
            NetLog.ReceiveLoopEnded(_logger, LocalEndPoint);
        }
    }

    private bool IsShutdown(Exception ex, CancellationToken token) =>
        token.IsCancellationRequested || Volatile.Read(ref _disposed) != 0 || ex is ObjectDisposedException;

    /// <summary>
    /// Persistent errors that fail immediately would otherwise spin a core; the error path may
    /// allocate, the data path does not.
    /// </summary>
    private static async ValueTask BackOffAsync(int consecutiveErrors, CancellationToken token)
    {
        if (consecutiveErrors < 16)
        {
            return;
        }

        try
        {
            await Task.Delay(Math.Min(consecutiveErrors, 100), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposal: the loop condition ends the loop.
        }
    }

    private IPEndPoint GetRemoteEndPoint(SocketAddress from)
    {
        // SocketAddress hashes and compares its bytes without allocating, so the reused
        // receive address can be the lookup key.
        if (_receiveCache.TryGetValue(from, out var cached))
        {
            return cached;
        }

        if (_receiveCache.Count >= MaxCachedRemotes)
        {
            _receiveCache.Clear();
        }

        var key = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span[..from.Size].CopyTo(key.Buffer.Span);
        var endPoint = (IPEndPoint)LocalEndPoint.Create(key);
        _receiveCache[key] = endPoint;
        return endPoint;
    }

    private SocketAddress GetSendAddress(IPEndPoint remote)
    {
        // Keyed by value, not by the IPEndPoint instance: IPEndPoint is mutable.
        var key = EndPointKey.From(remote);
        if (_sendCache.TryGetValue(key, out var address))
        {
            return address;
        }

        if (_sendCache.Count >= MaxCachedRemotes)
        {
            _sendCache.Clear();
        }

        address = remote.Serialize();
        _sendCache[key] = address;
        return address;
    }

    private bool SendFailed(IPEndPoint remote, SocketError error)
    {
        Interlocked.Increment(ref _sendErrors);
        if (_sendErrorLog.TryAcquire(out long suppressed))
        {
            NetLog.SendError(_logger, LocalEndPoint, remote, error, suppressed);
        }

        return false;
    }

    /// <summary>An immutable, allocation-free value copy of an IP endpoint.</summary>
    private readonly record struct EndPointKey(UInt128 Address, long ScopeId, int Port, bool IsIPv6)
    {
        public static EndPointKey From(IPEndPoint endPoint)
        {
            Span<byte> bytes = stackalloc byte[16];
            bytes.Clear();
            var address = endPoint.Address;
            address.TryWriteBytes(bytes, out _);
            bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
            return new EndPointKey(
                System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes),
                v6 ? address.ScopeId : 0,
                endPoint.Port,
                v6);
        }
    }
}
