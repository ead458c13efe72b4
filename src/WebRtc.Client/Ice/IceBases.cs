using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using WebRtc.Client.Net;

namespace WebRtc.Client.Ice;

/// <summary>
/// What a base id of the agent stands for in the driver: something that sends a datagram to a
/// remote address. A UDP socket, a TCP listener or connector (RFC 6544), or a TURN relay.
/// Sends never block and never throw.
/// </summary>
internal abstract class IceBase : IAsyncDisposable
{
    public abstract bool TrySend(ReadOnlySpan<byte> datagram, IPEndPoint remote);

    public abstract ValueTask DisposeAsync();
}

/// <summary>A host UDP socket.</summary>
internal sealed class UdpIceBase(UdpSocket socket) : IceBase
{
    public UdpSocket Socket { get; } = socket;

    public override bool TrySend(ReadOnlySpan<byte> datagram, IPEndPoint remote) => Socket.TrySend(datagram, remote);

    public override ValueTask DisposeAsync() => Socket.DisposeAsync();
}

/// <summary>
/// A passive TCP candidate (RFC 6544): a listener whose accepted connections are keyed by the
/// peer's address; the agent answers and checks over the connection the peer opened.
/// </summary>
internal sealed class TcpPassiveIceBase : IceBase
{
    private readonly ConcurrentDictionary<IPEndPoint, FramedTcpConnection> _connections = new();
    private readonly TcpListenerSocket _listener;
    private readonly ILogger _logger;

    public TcpPassiveIceBase(TcpListenerSocket listener, int baseId, TcpConnectionOptions options, IceDatagramHandler onFrame, ILogger logger)
    {
        _listener = listener;
        _logger = logger;
        listener.Start(options, connection =>
        {
            var remote = connection.RemoteEndPoint;
            if (remote.Address.IsIPv4MappedToIPv6)
            {
                remote = new IPEndPoint(remote.Address.MapToIPv4(), remote.Port);
            }

            _connections[remote] = connection;
            connection.Closed += (_, _) => _connections.TryRemove(new KeyValuePair<IPEndPoint, FramedTcpConnection>(remote, connection));
            _logger.LogDebug("ICE-TCP: accepted a connection from {Remote}", remote);
            connection.Start((_, frame) => onFrame(baseId, frame, remote));
        });
    }

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    public override bool TrySend(ReadOnlySpan<byte> datagram, IPEndPoint remote) =>
        _connections.TryGetValue(remote, out var connection) && connection.TrySend(datagram);

    public override async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        foreach (var connection in _connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _connections.Clear();
    }
}

/// <summary>
/// An active TCP candidate (RFC 6544, signaled with port 9): the first datagram the agent sends
/// to a passive remote opens a connection to it; datagrams sent meanwhile wait (a few) for it.
/// </summary>
internal sealed class TcpActiveIceBase(IPAddress localAddress, int baseId, TcpConnectionOptions options, IceDatagramHandler onFrame, ILogger logger) : IceBase
{
    private const int MaxQueuedWhileConnecting = 8;
    private readonly ConcurrentDictionary<IPEndPoint, Outgoing> _connections = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly IPAddress _localAddress = localAddress;
    private readonly int _baseId = baseId;
    private readonly TcpConnectionOptions _options = options;
    private readonly IceDatagramHandler _onFrame = onFrame;
    private readonly ILogger _logger = logger;

    public override bool TrySend(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        if (_closing.IsCancellationRequested)
        {
            return false;
        }

        var outgoing = _connections.GetOrAdd(remote, static (r, self) => new Outgoing(self, r), this);
        return outgoing.TrySend(datagram);
    }

    public override async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        foreach (var outgoing in _connections.Values)
        {
            await outgoing.DisposeAsync().ConfigureAwait(false);
        }

        _connections.Clear();
        _closing.Dispose();
    }

    private sealed class Outgoing : IAsyncDisposable
    {
        private readonly TcpActiveIceBase _owner;
        private readonly IPEndPoint _remote;
        private readonly object _sync = new();
        private List<byte[]>? _queued = [];
        private FramedTcpConnection? _connection;
        private bool _started;
        private bool _failed;

        public Outgoing(TcpActiveIceBase owner, IPEndPoint remote)
        {
            _owner = owner;
            _remote = remote;
        }

        public bool TrySend(ReadOnlySpan<byte> datagram)
        {
            // Once connected, data goes straight to the connection's own queue: no lock per packet.
            if (Volatile.Read(ref _connection) is { } ready)
            {
                return ready.TrySend(datagram);
            }

            lock (_sync)
            {
                if (_connection is { } connected)
                {
                    return connected.TrySend(datagram);
                }

                if (_failed || _queued is null || _queued.Count >= MaxQueuedWhileConnecting)
                {
                    return false;
                }

                _queued.Add(datagram.ToArray());
                if (!_started)
                {
                    _started = true;
                    _ = ConnectAsync();
                }

                return true;
            }
        }

        private async Task ConnectAsync()
        {
            FramedTcpConnection connection;
            try
            {
                connection = await FramedTcpConnection.ConnectAsync(_remote, new TcpConnectionOptions
                {
                    Framing = TcpFraming.Rfc4571,
                    Logger = _owner._options.Logger,
                    SocketFactory = _owner._options.SocketFactory,
                    LocalEndPoint = new IPEndPoint(_owner._localAddress, 0),
                    SendQueueLimit = _owner._options.SendQueueLimit,
                    ConnectTimeout = _owner._options.ConnectTimeout,
                }, _owner._closing.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The agent's check times out and the pair fails; a later check may try again.
                _owner._logger.LogDebug("ICE-TCP: connecting to {Remote} failed: {Message}", _remote, ex.Message);
                lock (_sync)
                {
                    _failed = true;
                    _queued = null;
                }

                _owner._connections.TryRemove(new KeyValuePair<IPEndPoint, Outgoing>(_remote, this));
                return;
            }

            connection.Closed += (_, _) => _owner._connections.TryRemove(new KeyValuePair<IPEndPoint, Outgoing>(_remote, this));
            connection.Start((_, frame) => _owner._onFrame(_owner._baseId, frame, _remote));
            lock (_sync)
            {
                if (_owner._closing.IsCancellationRequested)
                {
                    _failed = true;
                }
                else
                {
                    foreach (var datagram in _queued ?? [])
                    {
                        connection.TrySend(datagram);
                    }

                    // Published after the queued checks went, so nothing overtakes them.
                    Volatile.Write(ref _connection, connection);

                    _queued = null;
                    _owner._logger.LogDebug("ICE-TCP: connected to {Remote} from {Local}", _remote, connection.LocalEndPoint);
                    return;
                }
            }

            await connection.DisposeAsync().ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            FramedTcpConnection? connection;
            lock (_sync)
            {
                connection = _connection;
                _connection = null;
                _failed = true;
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

/// <summary>A relay candidate's base: what the agent sends from it goes through the TURN allocation.</summary>
internal sealed class RelayIceBase(TurnAllocation allocation) : IceBase
{
    public TurnAllocation Allocation { get; } = allocation;

    public override bool TrySend(ReadOnlySpan<byte> datagram, IPEndPoint remote) => Allocation.TrySendToPeer(datagram, remote);

    public override ValueTask DisposeAsync() => Allocation.DisposeAsync();
}

/// <summary>A datagram (or a TCP frame, or relayed data) that arrived on a base from a remote address.</summary>
internal delegate void IceDatagramHandler(int baseId, ReadOnlySpan<byte> datagram, IPEndPoint remote);
