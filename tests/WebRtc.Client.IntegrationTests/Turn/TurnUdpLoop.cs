using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using WebRtc.Client.Net;
using WebRtc.Client.Stun;
using WebRtc.Client.Turn;

namespace WebRtc.Client.IntegrationTests.Turn;

/// <summary>
/// The smallest driver of a <see cref="TurnClient"/> over real UDP: one socket, the client under a
/// lock, a timer pump, and queues of what came out. Its clock is real time plus a skip the test
/// can add to reach the refresh times without waiting minutes.
/// </summary>
internal sealed class TurnUdpLoop : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly UdpSocket _socket;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private readonly Channel<TurnClientEvent> _events = Channel.CreateUnbounded<TurnClientEvent>();
    private readonly Channel<(IPEndPoint Peer, byte[] Data)> _data = Channel.CreateUnbounded<(IPEndPoint, byte[])>();
    private TimeSpan _skip;

    public TurnUdpLoop(IPEndPoint server, string password = "test")
    {
        _socket = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Client = new TurnClient(
            new TurnClientOptions
            {
                Server = server,
                Username = "test",
                Password = password,
                Software = "WebRtc.Client TurnUdpLoop",
                Url = $"turn:{server}",
            },
            Send);
        _socket.Start(OnDatagram);
        _pump = Task.Run(PumpAsync);
    }

    public TurnClient Client { get; }

    public IPEndPoint LocalEndPoint => _socket.LocalEndPoint;

    private volatile bool _holdChannelBind;

    /// <summary>While true, ChannelBind requests are dropped on their way out, as a lossy link would.</summary>
    public bool HoldChannelBind
    {
        get => _holdChannelBind;
        set => _holdChannelBind = value;
    }

    /// <summary>The client's clock.</summary>
    public TimeSpan Now => _clock.Elapsed + _skip;

    /// <summary>Runs <paramref name="action"/> on the client, serialized with the receive loop and the pump.</summary>
    public void Do(Action<TurnClient, TimeSpan> action)
    {
        lock (_gate)
        {
            action(Client, Now);
            DrainEvents();
        }
    }

    /// <summary>Moves the client's clock forward and runs the timers now due.</summary>
    public void Skip(TimeSpan by)
    {
        lock (_gate)
        {
            _skip += by;
            Client.HandleTimeout(Now);
            DrainEvents();
        }
    }

    /// <summary>Wraps data for a peer and sends it to the server (the data path: no lock needed).</summary>
    public bool SendToPeer(IPEndPoint peer, ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = stackalloc byte[data.Length + TurnClient.MaxOverhead];
        int length = Client.WrapForPeer(peer, data, buffer);
        return length > 0 && _socket.TrySend(buffer[..length], Client.Options.Server);
    }

    public async Task<T> WaitForEventAsync<T>(TimeSpan timeout)
        where T : TurnClientEvent
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var next = await _events.Reader.ReadAsync(cts.Token);
            if (next is T wanted)
            {
                return wanted;
            }

            if (next is TurnErrorEvent error && typeof(T) != typeof(TurnErrorEvent))
            {
                throw new InvalidOperationException($"waiting for {typeof(T).Name}, got {error}");
            }
        }
    }

    public async Task<(IPEndPoint Peer, byte[] Data)> ReceiveFromPeerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _data.Reader.ReadAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        await _socket.DisposeAsync();
        _stop.Dispose();
    }

    private void Send(ReadOnlySpan<byte> message)
    {
        if (_holdChannelBind && StunReader.TryParse(message, out var reader, out _) && reader.Type.Method == StunMethod.ChannelBind)
        {
            return;
        }

        _socket.TrySend(message, Client.Options.Server);
    }

    private void OnDatagram(UdpSocket socket, ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        if (!remote.Equals(Client.Options.Server))
        {
            return;
        }

        // The data path first, lock-free; what it leaves is a response for the serialized core.
        if (Client.TryUnwrap(datagram, out var peer, out var data))
        {
            _data.Writer.TryWrite((peer!, data.ToArray()));
            return;
        }

        lock (_gate)
        {
            Client.HandleServerMessage(datagram, Now);
            DrainEvents();
        }
    }

    private async Task PumpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            lock (_gate)
            {
                if (Client.NextDeadline is { } deadline && Now >= deadline)
                {
                    Client.HandleTimeout(Now);
                }

                DrainEvents();
            }

            try
            {
                await Task.Delay(10, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private void DrainEvents()
    {
        while (Client.PollEvent(out var e))
        {
            _events.Writer.TryWrite(e!);
        }
    }
}
