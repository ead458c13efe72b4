using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using WebRtc.Client.Net;
using WebRtc.Client.Turn;

namespace WebRtc.Client.Ice;

/// <summary>A STUN message from the TURN server that is not relayed data: the driver hands it to the <see cref="TurnClient"/> under its lock.</summary>
internal delegate void TurnControlHandler(TurnAllocation allocation, ReadOnlySpan<byte> message);

/// <summary>
/// The driver of one TURN allocation: the socket or TCP/TLS stream to the server around a sans-IO
/// <see cref="TurnClient"/>. Relayed data is unwrapped and wrapped here without the transport's
/// lock; everything that changes the client's state (responses, timers) goes through the owner,
/// which serializes it with the ICE agent.
/// </summary>
internal sealed class TurnAllocation : IAsyncDisposable
{
    private const int StackBuffer = 2048;
    private readonly IceDatagramHandler _deliver;
    private readonly TurnControlHandler _control;
    private readonly Action<TurnAllocation, Exception?> _closed;
    private readonly ILogger _logger;
    private readonly SocketFactory? _socketFactory;
    private UdpSocket? _udp;
    private FramedTcpConnection? _tcp;
    private volatile bool _disposed;

    public TurnAllocation(int baseId, IceTurnServer server, IPAddress bindAddress, ushort interfacePreference, IceDatagramHandler deliver,
        TurnControlHandler control, Action<TurnAllocation, Exception?> closed, ILogger logger, SocketFactory? socketFactory)
    {
        BaseId = baseId;
        Server = server;
        BindAddress = bindAddress;
        InterfacePreference = interfacePreference;
        _deliver = deliver;
        _control = control;
        _closed = closed;
        _logger = logger;
        _socketFactory = socketFactory;
        Client = new TurnClient(
            new TurnClientOptions
            {
                Server = server.Server,
                Username = server.Username,
                Password = server.Password,
                Url = server.Url,
                Transport = server.Protocol switch
                {
                    RTCIceServerTransportProtocol.Tcp => TurnTransportProtocol.Tcp,
                    RTCIceServerTransportProtocol.Tls => TurnTransportProtocol.Tls,
                    _ => TurnTransportProtocol.Udp,
                },
                RelayFamily = server.Server.AddressFamily,
            },
            SendToServer);
    }

    public int BaseId { get; }

    public IceTurnServer Server { get; }

    public IPAddress BindAddress { get; }

    public ushort InterfacePreference { get; }

    /// <summary>The sans-IO client; every call but the data path is made under the owner's lock.</summary>
    public TurnClient Client { get; }

    /// <summary>Remote candidates already given to <see cref="TurnClient.AddPeer"/> (owner's lock).</summary>
    public HashSet<IPEndPoint> Peers { get; } = [];

    /// <summary>Set once the owner has seen the allocation succeed or fail (owner's lock).</summary>
    public bool Settled { get; set; }

    /// <summary>Completes when the client reports the allocation released (or the owner gives up).</summary>
    public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Opens the way to the server: a UDP socket, or a TCP (and TLS) connection.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (Server.Protocol == RTCIceServerTransportProtocol.Udp)
        {
            var socket = UdpSocket.Bind(new IPEndPoint(BindAddress, 0), _logger, _socketFactory);
            _udp = socket;
            socket.Start((_, datagram, remote) =>
            {
                // Only the server speaks on this socket; anything else is noise.
                if (remote.Equals(Server.Server))
                {
                    OnFromServer(datagram);
                }
                else
                {
                    _logger.LogDebug("TURN: dropped a {Length}-byte datagram from {Remote}, not the server {Server}", datagram.Length, remote, Server.Server);
                }
            });
            return;
        }

        var connection = await FramedTcpConnection.ConnectAsync(Server.Server, new TcpConnectionOptions
        {
            Framing = TcpFraming.Stun,
            Logger = _logger,
            SocketFactory = _socketFactory,
            LocalEndPoint = new IPEndPoint(BindAddress, 0),
            TlsTargetHost = Server.Protocol == RTCIceServerTransportProtocol.Tls ? Server.TlsTargetHost ?? Server.Server.Address.ToString() : null,
            TlsCertificateValidation = Server.TlsCertificateValidation,
        }, cancellationToken).ConfigureAwait(false);
        if (_disposed)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(TurnAllocation));
        }

        _tcp = connection;
        connection.Closed += (_, error) => _closed(this, error);
        connection.Start((_, frame) => OnFromServer(frame));
    }

    /// <summary>Sends relayed data to a peer: ChannelData once the channel is bound, a Send indication before.</summary>
    public bool TrySendToPeer(ReadOnlySpan<byte> datagram, IPEndPoint peer)
    {
        if (_disposed)
        {
            return false;
        }

        int needed = datagram.Length + TurnClient.MaxOverhead;
        byte[]? rented = null;
        Span<byte> buffer = needed <= StackBuffer ? stackalloc byte[StackBuffer] : (rented = ArrayPool<byte>.Shared.Rent(needed));
        try
        {
            int length = Client.WrapForPeer(peer, datagram, buffer);
            return length > 0 && SendToServerCore(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        Released.TrySetResult();
        if (_udp is { } udp)
        {
            await udp.DisposeAsync().ConfigureAwait(false);
        }

        if (_tcp is { } tcp)
        {
            await tcp.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Server.ToString();

    private void SendToServer(ReadOnlySpan<byte> message) => SendToServerCore(message);

    private bool SendToServerCore(ReadOnlySpan<byte> message)
    {
        if (_udp is { } udp)
        {
            return udp.TrySend(message, Server.Server);
        }

        return _tcp is { } tcp && tcp.TrySend(message);
    }

    private void OnFromServer(ReadOnlySpan<byte> message)
    {
        if (_disposed)
        {
            return;
        }

        if (Client.TryUnwrap(message, out var peer, out var data))
        {
            _deliver(BaseId, data, peer!);
            return;
        }

        _control(this, message);
    }
}
