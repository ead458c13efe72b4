using BenchmarkDotNet.Attributes;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.Benchmarks;

/// <summary>
/// One user message through two sans-IO associations in memory: Send, PollTransmit, HandlePacket
/// with reassembly and delivery, TryReceive, and the SACK back. No sockets, no DTLS: the SCTP
/// layer's own cost per message, which must not allocate.
/// </summary>
[MemoryDiagnoser]
public class SctpAssociationBenchmarks
{
    private readonly byte[] _packet = new byte[1500];
    private readonly byte[] _message1100 = new byte[1100];
    private readonly byte[] _message64K = new byte[64 * 1024];
    private SctpAssociation _a = null!;
    private SctpAssociation _b = null!;
    private TimeSpan _now = TimeSpan.FromSeconds(1);

    [GlobalSetup]
    public void Setup()
    {
        _a = new SctpAssociation(new SctpAssociationOptions { Random = new Random(1) });
        _b = new SctpAssociation(new SctpAssociationOptions { Random = new Random(2) });
        _a.Connect(_now);
        for (int i = 0; i < 10 && _b.State != SctpAssociationState.Established; i++)
        {
            Exchange();
        }

        // Warm the pools.
        for (int i = 0; i < 100; i++)
        {
            SendOne1100();
            SendOne64K();
        }
    }

    /// <summary>One 1100-byte message (one DATA chunk) and its SACK.</summary>
    [Benchmark(Baseline = true)]
    public int SendOne1100() => Transfer(_message1100);

    /// <summary>One 64 KiB message: 58 DATA chunks, reassembly, SACKs.</summary>
    [Benchmark]
    public int SendOne64K() => Transfer(_message64K);

    private int Transfer(byte[] message)
    {
        _a.Send(1, 53, message, default, _now);
        int delivered = 0;
        while (Exchange())
        {
            while (_b.TryReceive(out var m))
            {
                delivered += m.Length;
                m.Dispose();
            }
        }

        // Let delayed SACKs go so the next round starts from an idle association.
        _now += TimeSpan.FromMilliseconds(250);
        _b.HandleTimeout(_now);
        _a.HandleTimeout(_now);
        Exchange();
        return delivered;
    }

    private bool Exchange()
    {
        bool any = false;
        int n;
        while ((n = _a.PollTransmit(_packet, _now)) > 0)
        {
            _b.HandlePacket(_packet.AsSpan(0, n), _now);
            any = true;
        }

        while ((n = _b.PollTransmit(_packet, _now)) > 0)
        {
            _a.HandlePacket(_packet.AsSpan(0, n), _now);
            any = true;
        }

        return any;
    }
}
