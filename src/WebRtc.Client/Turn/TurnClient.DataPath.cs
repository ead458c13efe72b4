using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Turn;

/// <summary>
/// The data path: ChannelData (RFC 8656 §12.4–§12.6) and Send/Data indications (RFC 8656 §11).
/// Lock-free and safe from any thread: it reads <see cref="RouteTable"/> snapshots that the
/// serialized side replaces whole (copy-on-write) and never changes in place.
/// </summary>
public sealed partial class TurnClient
{
    private static readonly StunMessageType SendIndication = new(StunMethod.Send, StunClass.Indication);
    private static readonly StunMessageType DataIndication = new(StunMethod.Data, StunClass.Indication);

    private RouteTable _routes = RouteTable.Empty;
    private long _channelDataSent;
    private long _sendIndicationsSent;
    private long _channelDataReceived;
    private long _dataIndicationsReceived;
    private long _messagesDropped;

    /// <summary>ChannelData messages written by <see cref="WrapForPeer"/>.</summary>
    public long ChannelDataSent => Interlocked.Read(ref _channelDataSent);

    /// <summary>Send indications written by <see cref="WrapForPeer"/>.</summary>
    public long SendIndicationsSent => Interlocked.Read(ref _sendIndicationsSent);

    /// <summary>ChannelData messages unwrapped by <see cref="TryUnwrap"/>.</summary>
    public long ChannelDataReceived => Interlocked.Read(ref _channelDataReceived);

    /// <summary>Data indications unwrapped by <see cref="TryUnwrap"/>.</summary>
    public long DataIndicationsReceived => Interlocked.Read(ref _dataIndicationsReceived);

    /// <summary>
    /// Messages from the server thrown away: malformed or unknown-channel ChannelData, malformed
    /// Data indications, and whatever <see cref="HandleServerMessage"/> refused.
    /// </summary>
    public long MessagesDropped => Interlocked.Read(ref _messagesDropped);

    /// <summary>
    /// Takes the peer's data out of a message from the server: ChannelData on a channel of an
    /// added peer (RFC 8656 §12.6), or a Data indication with XOR-PEER-ADDRESS and DATA (RFC 8656
    /// §11.4). False for anything else (STUN responses go to <see cref="HandleServerMessage"/>).
    /// Thread-safe and lock-free; ChannelData is unwrapped without allocating, and
    /// <paramref name="data"/> points into <paramref name="message"/>.
    /// </summary>
    /// <param name="message">One UDP datagram, or one frame cut from the stream with <see cref="GetStreamFrameLength"/>.</param>
    /// <param name="peer">The peer the data came from.</param>
    /// <param name="data">The peer's data.</param>
    public bool TryUnwrap(ReadOnlySpan<byte> message, out IPEndPoint? peer, out ReadOnlySpan<byte> data)
    {
        peer = null;
        data = default;
        if (message.Length >= 4 && (message[0] & 0xC0) == 0x40)
        {
            return TryUnwrapChannelData(message, out peer, out data);
        }

        // Only a Data indication is ours here; other STUN is left for HandleServerMessage uncounted.
        if (!StunReader.IsStun(message) || StunMessageType.FromValue(BinaryPrimitives.ReadUInt16BigEndian(message)) != DataIndication)
        {
            return false;
        }

        if (!StunReader.TryParse(message, out var indication, out _)
            || !indication.TryGetXorAddress(StunAttributeType.XorPeerAddress, out var from)
            || !indication.TryGetAttribute(StunAttributeType.Data, out data))
        {
            data = default;
            Interlocked.Increment(ref _messagesDropped);
            return false;
        }

        // The snapshot's instance when the peer is known, so callers can compare by reference.
        peer = Volatile.Read(ref _routes).ByPeer.TryGetValue(from!, out var route) ? route.Peer : from;
        Interlocked.Increment(ref _dataIndicationsReceived);
        return true;
    }

    private bool TryUnwrapChannelData(ReadOnlySpan<byte> message, out IPEndPoint? peer, out ReadOnlySpan<byte> data)
    {
        peer = null;
        data = default;
        ushort channel = BinaryPrimitives.ReadUInt16BigEndian(message);
        int length = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        int available = message.Length - 4;
        // RFC 8656 §12.5: the length excludes padding, which is up to 3 bytes (always there over
        // TCP, optional over UDP); a length that overruns is malformed.
        if (channel > LastChannel || length > available || available - length > 3
            || !Volatile.Read(ref _routes).ByChannel.TryGetValue(channel, out var route))
        {
            Interlocked.Increment(ref _messagesDropped);
            return false;
        }

        peer = route.Peer;
        data = message.Slice(4, length);
        Interlocked.Increment(ref _channelDataReceived);
        return true;
    }

    /// <summary>
    /// Wraps data for a peer: ChannelData once its channel is bound (RFC 8656 §12.4; padded to 4
    /// bytes over TCP and TLS), a Send indication before that (XOR-PEER-ADDRESS and DATA, no
    /// integrity, RFC 8656 §11.1). Thread-safe and lock-free; allocates nothing.
    /// <paramref name="data"/> and <paramref name="destination"/> must not overlap.
    /// </summary>
    /// <returns>Bytes written to <paramref name="destination"/>, or -1 when it is too small (it needs
    /// at most <see cref="MaxOverhead"/> more than the data) or the peer was never added.</returns>
    public int WrapForPeer(IPEndPoint peer, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!Volatile.Read(ref _routes).ByPeer.TryGetValue(peer, out var route) || data.Length > ushort.MaxValue)
        {
            return -1;
        }

        if (route.Bound)
        {
            int padded = _streamTransport ? (data.Length + 3) & ~3 : data.Length;
            if (destination.Length < 4 + padded)
            {
                return -1;
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination, route.Channel);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)data.Length);
            data.CopyTo(destination[4..]);
            destination.Slice(4 + data.Length, padded - data.Length).Clear();
            Interlocked.Increment(ref _channelDataSent);
            return 4 + padded;
        }

        int total = StunConstants.HeaderLength + 4 + (peer.AddressFamily == AddressFamily.InterNetworkV6 ? 20 : 8) + 4 + ((data.Length + 3) & ~3);
        if (destination.Length < total || total - StunConstants.HeaderLength > ushort.MaxValue)
        {
            return -1;
        }

        var writer = new StunWriter(destination, SendIndication, StunTransactionId.NewRandom());
        writer.AddXorAddress(StunAttributeType.XorPeerAddress, route.Peer);
        writer.AddAttribute(StunAttributeType.Data, data);
        Interlocked.Increment(ref _sendIndicationsSent);
        return writer.Length;
    }

    /// <summary>Replaces the data path's snapshot after a peer was added or a channel bound.</summary>
    private void PublishRoutes()
    {
        var byPeer = new Dictionary<IPEndPoint, Route>(_peers.Count);
        var byChannel = new Dictionary<ushort, Route>(_peers.Count);
        foreach (var binding in _peers.Values)
        {
            var route = new Route(binding.Peer, binding.Channel, binding.Bound);
            byPeer.Add(binding.Peer, route);
            if (binding.Channel != 0)
            {
                // ChannelData may arrive before our ChannelBind's response does (the server binds
                // first), so every number asked for is accepted, not only confirmed ones.
                byChannel.Add(binding.Channel, route);
            }
        }

        Volatile.Write(ref _routes, new RouteTable(byPeer, byChannel));
    }

    /// <summary>One peer as the data path sees it.</summary>
    private sealed record Route(IPEndPoint Peer, ushort Channel, bool Bound);

    /// <summary>An immutable snapshot: built whole, published with Volatile.Write, never changed after.</summary>
    private sealed class RouteTable(Dictionary<IPEndPoint, Route> byPeer, Dictionary<ushort, Route> byChannel)
    {
        public static RouteTable Empty { get; } = new([], []);

        public Dictionary<IPEndPoint, Route> ByPeer { get; } = byPeer;

        public Dictionary<ushort, Route> ByChannel { get; } = byChannel;
    }
}
