using System.Threading.Channels;
using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.DataChannels;

/// <summary>
/// Two in-memory datagram transports that deliver on their own thread per direction, in
/// order, as a socket receive loop does (a synchronous hand-off would re-enter the sender).
/// </summary>
internal sealed class QueuedDatagramLink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _pumps;

    public QueuedDatagramLink(int seed = 1)
    {
        A = new End(new Random(seed));
        B = new End(new Random(seed + 1));
        _pumps = [Pump(A, B), Pump(B, A)];
    }

    public End A { get; }

    public End B { get; }

    public async ValueTask DisposeAsync()
    {
        A.Queue.Writer.TryComplete();
        B.Queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await Task.WhenAll(_pumps).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stop.Dispose();
    }

    private Task Pump(End from, End to) => Task.Factory.StartNew(async () =>
    {
        try
        {
            await foreach (var datagram in from.Queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                to.Receiver?.Invoke(datagram);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }, TaskCreationOptions.LongRunning).Unwrap();

    internal sealed class End(Random random) : IDatagramTransport
    {
        public Channel<byte[]> Queue { get; } = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

        /// <summary>Share of datagrams dropped.</summary>
        public double Loss { get; set; }

        /// <summary>When set, every datagram is dropped (a dead link).</summary>
        public bool Blackhole { get; set; }

        public bool IsWritable => true;

        public DatagramReceiver? Receiver { get; set; }

        public bool TrySend(ReadOnlySpan<byte> datagram)
        {
            if (Blackhole)
            {
                return true;
            }

            lock (random)
            {
                if (Loss > 0 && random.NextDouble() < Loss)
                {
                    return true;
                }
            }

            return Queue.Writer.TryWrite(datagram.ToArray());
        }
    }
}
