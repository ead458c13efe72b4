using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.Dtls;

/// <summary>Two connected in-memory datagram transports; a drop filter per direction simulates loss.</summary>
internal sealed class MemoryDatagramPair
{
    public MemoryDatagramPair()
    {
        A = new End(this);
        B = new End(this);
        A.Peer = B;
        B.Peer = A;
    }

    public End A { get; }

    public End B { get; }

    internal sealed class End(MemoryDatagramPair owner)
    {
        private int _sent;

        public End Peer { get; set; } = null!;

        public MemoryDatagramPair Owner { get; } = owner;

        /// <summary>Given the datagram and its index among this end's sends; true drops it.</summary>
        public Func<byte[], int, bool>? Drop { get; set; }

        public int Dropped;

        public Transport Transport => _transport ??= new Transport(this);

        private Transport? _transport;

        public bool Send(ReadOnlySpan<byte> datagram)
        {
            var index = Interlocked.Increment(ref _sent) - 1;
            var copy = datagram.ToArray();
            if (Drop?.Invoke(copy, index) == true)
            {
                Interlocked.Increment(ref Dropped);
                return true;
            }

            Peer.Transport.Receiver?.Invoke(copy);
            return true;
        }
    }

    internal sealed class Transport(End end) : IDatagramTransport
    {
        public bool IsWritable => true;

        public DatagramReceiver? Receiver { get; set; }

        public bool TrySend(ReadOnlySpan<byte> datagram) => end.Send(datagram);

        /// <summary>Injects a datagram as if it came from the peer.</summary>
        public void Inject(ReadOnlySpan<byte> datagram) => Receiver?.Invoke(datagram);
    }
}
