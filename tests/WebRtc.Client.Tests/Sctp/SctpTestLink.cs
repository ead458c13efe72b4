using WebRtc.Client.Sctp;

namespace WebRtc.Client.Tests.Sctp;

/// <summary>
/// Two sans-IO associations joined by a virtual link with a virtual clock: seeded loss,
/// duplication, reordering (jitter) and delay. Time only moves when nothing is left to do now,
/// so minutes of retransmission timers run in milliseconds.
/// </summary>
internal sealed class SctpTestLink
{
    private readonly PriorityQueue<(bool ToB, byte[] Packet), (TimeSpan At, long Seq)> _wire = new();
    private readonly byte[] _buffer = new byte[65536];
    private readonly Random _random;
    private long _seq;
    private TimeSpan _lastToA;
    private TimeSpan _lastToB;

    public SctpTestLink(int seed = 1, SctpAssociationOptions? a = null, SctpAssociationOptions? b = null)
    {
        _random = new Random(seed);
        A = new SctpAssociation(a ?? new SctpAssociationOptions { Random = new Random(seed + 1) });
        B = new SctpAssociation(b ?? new SctpAssociationOptions { Random = new Random(seed + 2) });
    }

    public SctpAssociation A { get; }

    public SctpAssociation B { get; }

    public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(1);

    public double Loss { get; set; }

    public double Duplicate { get; set; }

    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Uniform extra delay per packet; packets overtake each other when it exceeds their spacing.</summary>
    public TimeSpan Jitter { get; set; }

    /// <summary>Share of packets held back by up to <see cref="ReorderDelay"/>, so later ones overtake them.</summary>
    public double Reorder { get; set; }

    /// <summary>The most a reordered packet is held back.</summary>
    public TimeSpan ReorderDelay { get; set; } = TimeSpan.FromMilliseconds(15);

    /// <summary>Called for every packet put on the wire; may replace or drop it (return null).</summary>
    public Func<bool, byte[], byte[]?>? Tamper { get; set; }

    public List<(ushort Stream, uint Ppid, byte[] Data, bool Unordered)> ReceivedByA { get; } = new();

    public List<(ushort Stream, uint Ppid, byte[] Data, bool Unordered)> ReceivedByB { get; } = new();

    public List<SctpAssociationEvent> EventsA { get; } = new();

    public List<SctpAssociationEvent> EventsB { get; } = new();

    public long PacketsCarried { get; private set; }

    /// <summary>When false, messages delivered to A stay in A (an application that does not read).</summary>
    public bool CollectA { get; set; } = true;

    /// <summary>When false, messages delivered to B stay in B (an application that does not read).</summary>
    public bool CollectB { get; set; } = true;

    /// <summary>Puts a packet on the wire by hand, arriving at <paramref name="at"/> (default: after <see cref="Delay"/>).</summary>
    public void Inject(bool toB, byte[] packet, TimeSpan? at = null)
    {
        _wire.Enqueue((toB, packet), (at ?? Now + Delay, _seq++));
    }

    /// <summary>Collects everything both sides want to send now.</summary>
    public void Pump()
    {
        Drain(A, toB: true);
        Drain(B, toB: false);
        Collect(A, CollectA ? ReceivedByA : null, EventsA);
        Collect(B, CollectB ? ReceivedByB : null, EventsB);
    }

    /// <summary>Advances to the next packet arrival or timer and handles it. False when nothing is pending.</summary>
    public bool Step()
    {
        Pump();
        TimeSpan? next = null;
        if (_wire.TryPeek(out _, out var head))
        {
            next = head.At;
        }

        foreach (var d in new[] { A.NextDeadline, B.NextDeadline })
        {
            if (d is { } t && (next is null || t < next))
            {
                next = t;
            }
        }

        if (next is null)
        {
            return false;
        }

        if (next > Now)
        {
            Now = next.Value;
        }

        while (_wire.TryPeek(out var item, out var at) && at.At <= Now)
        {
            _wire.Dequeue();
            (item.ToB ? B : A).HandlePacket(item.Packet, Now);
            Pump();
        }

        if (A.NextDeadline <= Now)
        {
            A.HandleTimeout(Now);
        }

        if (B.NextDeadline <= Now)
        {
            B.HandleTimeout(Now);
        }

        Pump();
        return true;
    }

    /// <summary>Steps until <paramref name="done"/> holds; false if virtual time ran out first.</summary>
    public bool RunUntil(Func<bool> done, TimeSpan? limit = null, int maxSteps = 50_000_000)
    {
        var end = Now + (limit ?? TimeSpan.FromMinutes(10));
        for (int i = 0; i < maxSteps && !done(); i++)
        {
            if (Now > end)
            {
                return false;
            }

            if (!Step())
            {
                return done();
            }
        }

        return done();
    }

    public void Connect(bool simultaneous = false)
    {
        A.Connect(Now);
        if (simultaneous)
        {
            B.Connect(Now);
        }

        if (!RunUntil(() => A.State == SctpAssociationState.Established && B.State == SctpAssociationState.Established, TimeSpan.FromMinutes(5)))
        {
            throw new InvalidOperationException($"no association: A {A.State}, B {B.State}");
        }
    }

    private void Drain(SctpAssociation from, bool toB)
    {
        int n;
        while ((n = from.PollTransmit(_buffer, Now)) > 0)
        {
            byte[]? packet = _buffer.AsSpan(0, n).ToArray();
            if (Tamper is not null)
            {
                packet = Tamper(toB, packet);
                if (packet is null)
                {
                    continue;
                }
            }

            PacketsCarried++;
            if (Loss > 0 && _random.NextDouble() < Loss)
            {
                continue;
            }

            int copies = Duplicate > 0 && _random.NextDouble() < Duplicate ? 2 : 1;
            for (int c = 0; c < copies; c++)
            {
                var at = Now + Delay + (Jitter > TimeSpan.Zero ? Jitter * _random.NextDouble() : TimeSpan.Zero);
                if (Reorder > 0 && _random.NextDouble() < Reorder)
                {
                    at += ReorderDelay * _random.NextDouble();
                }
                else
                {
                    // Jitter alone keeps order, as a queue does.
                    ref var last = ref toB ? ref _lastToB : ref _lastToA;
                    at = at < last ? last : at;
                    last = at;
                }

                _wire.Enqueue((toB, packet), (at, _seq++));
            }
        }
    }

    private static void Collect(SctpAssociation side, List<(ushort, uint, byte[], bool)>? messages, List<SctpAssociationEvent> events)
    {
        while (messages is not null && side.TryReceive(out var m))
        {
            messages.Add((m.StreamId, m.Ppid, m.Data.ToArray(), m.Unordered));
            m.Dispose();
        }

        while (side.PollEvent(out var e))
        {
            events.Add(e!);
        }
    }
}
