using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using WebRtc.Client.Media.Stages;
using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Benchmarks;

/// <summary>
/// The per-packet work of the media stages (receive statistics, NACK generator, send history, RTX)
/// on a 1200-byte packet with two header extensions: every row must show 0 B allocated.
/// Each invocation handles the next packet of a steady stream, so the state stays realistic.
/// </summary>
[MemoryDiagnoser]
public class MediaStageBenchmarks
{
    private readonly RtpReceiveStatistics _receive = new(0x11223344, 90000);
    private readonly RtpSendStatistics _send = new(0x11223344, 90000);
    private readonly NackGenerator _nack = new();
    private readonly RtpSendHistory _history = new();
    private readonly ushort[] _nacks = new ushort[64];
    private readonly byte[] _packet = new byte[1200];
    private readonly byte[] _rtx = new byte[1300];
    private readonly byte[] _restored = new byte[1300];
    private readonly byte[] _rtcp = new byte[200];
    private readonly RtcpReportBlock[] _blocks = new RtcpReportBlock[1];
    private int _rtxLength;
    private ushort _seq;
    private uint _timestamp;
    private TimeSpan _now;

    [GlobalSetup]
    public void Setup()
    {
        var payload = new byte[1200 - 12 - 12];
        new Random(1).NextBytes(payload);
        var writer = new RtpPacketWriter(_packet);
        writer.TryWriteHeader(new RtpHeader { Marker = true, PayloadType = 96, SequenceNumber = 4321, Timestamp = 90000, Ssrc = 0x11223344 });
        writer.TryAddAbsSendTime(3, 0x123456);
        writer.TryAddTransportSequenceNumber(5, 777);
        writer.TryWritePayload(payload);
        RtxPacket.TryWrap(_packet, 97, 0x55667788, 1, _rtx, out _rtxLength);
        for (int i = 0; i < 600; i++)
        {
            Advance();
            _history.Store(_packet, _now);
        }
    }

    private void Advance()
    {
        _seq++;
        _timestamp += 3000;
        _now += TimeSpan.FromMilliseconds(1);
        BinaryPrimitives.WriteUInt16BigEndian(_packet.AsSpan(2), _seq);
    }

    /// <summary>Receive statistics for one packet (A.1 sequence, A.8 jitter).</summary>
    [Benchmark]
    public uint ReceiveStatisticsOnPacket()
    {
        Advance();
        _receive.OnPacket(_seq, _timestamp, _now, 1176);
        return _receive.HighestSequence;
    }

    /// <summary>Send statistics for one packet, plus an SR with one report block every 100 packets.</summary>
    [Benchmark]
    public long SendStatisticsOnPacketSent()
    {
        Advance();
        _send.OnPacketSent(_timestamp, _now, 1176);
        if (_seq % 100 == 0)
        {
            _blocks[0] = _receive.CreateReportBlock(_now);
            _send.TryWriteSenderReport(_rtcp, _now, new NtpTime((ulong)_now.Ticks << 8), _blocks, out _);
        }

        return _send.PacketsSent;
    }

    /// <summary>NACK generator: one packet (every 50th lost, every 50th late one recovered) and a GetNacks pass.</summary>
    [Benchmark]
    public int NackOnPacketAndGetNacks()
    {
        Advance();
        if (_seq % 50 == 0)
        {
            return 0; // lost
        }

        _nack.OnPacket(_seq, _now);
        if (_seq % 50 == 25)
        {
            _nack.OnPacket((ushort)(_seq - 25), _now); // a retransmission fills the hole
        }

        return _nack.GetNacks(_now, TimeSpan.FromMilliseconds(50), _nacks);
    }

    /// <summary>Send history: store one 1200-byte packet.</summary>
    [Benchmark]
    public bool HistoryStore()
    {
        Advance();
        return _history.Store(_packet, _now);
    }

    /// <summary>Send history: answer a NACK for a packet 100 back.</summary>
    [Benchmark]
    public int HistoryTryGetForRetransmission()
    {
        _now += TimeSpan.FromMilliseconds(1);
        return _history.TryGetForRetransmission((ushort)(_seq - 100), _now, TimeSpan.Zero, out var packet) ? packet.Length : -1;
    }

    /// <summary>RTX: wrap a 1200-byte packet.</summary>
    [Benchmark]
    public int RtxTryWrap() => RtxPacket.TryWrap(_packet, 97, 0x55667788, _seq, _rtx, out int written) ? written : -1;

    /// <summary>RTX: unwrap it back.</summary>
    [Benchmark]
    public int RtxTryUnwrap() => RtxPacket.TryUnwrap(_rtx.AsSpan(0, _rtxLength), 96, 0x11223344, _restored, out int written) ? written : -1;
}
