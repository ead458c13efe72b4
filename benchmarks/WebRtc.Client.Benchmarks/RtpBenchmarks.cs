using BenchmarkDotNet.Attributes;
using WebRtc.Client.Packetization;
using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Benchmarks;

/// <summary>RTP parse/write with two header extensions on a 1200-byte packet, against the class-per-packet baseline.</summary>
[MemoryDiagnoser]
public class RtpPacketBenchmarks
{
    private readonly byte[] _buffer = new byte[1500];
    private readonly byte[] _payload = new byte[1200 - 12 - 12];
    private byte[] _packet = [];
    private NaiveRtpPacket _naive = null!;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_payload);
        _packet = _buffer.AsSpan(0, Write()).ToArray();
        _naive = NaiveRtpPacket.Parse(_packet)!;
    }

    /// <summary>Parse, read both extensions and touch the payload.</summary>
    [Benchmark]
    public int Parse()
    {
        if (!RtpPacket.TryParse(_packet, out var p, out _)
            || !p.TryGetExtension(3, out var abs) || !RtpHeaderExtensions.TryReadAbsSendTime(abs, out uint time)
            || !p.TryGetExtension(5, out var tw) || !RtpHeaderExtensions.TryReadTransportSequenceNumber(tw, out ushort seq))
        {
            return -1;
        }

        return (int)time + seq + p.Payload.Length + p.SequenceNumber;
    }

    /// <summary>Write the same packet into a reused buffer.</summary>
    [Benchmark]
    public int Write()
    {
        var w = new RtpPacketWriter(_buffer);
        w.TryWriteHeader(new RtpHeader { Marker = true, PayloadType = 96, SequenceNumber = 4321, Timestamp = 90000, Ssrc = 0x11223344 });
        w.TryAddAbsSendTime(3, 0x123456);
        w.TryAddTransportSequenceNumber(5, 777);
        w.TryWritePayload(_payload);
        return w.Length;
    }

    /// <summary>Baseline parse.</summary>
    [Benchmark(Baseline = true)]
    public int NaiveParse() => NaiveRtpPacket.Parse(_packet)!.Payload.Length;

    /// <summary>Baseline write.</summary>
    [Benchmark]
    public int NaiveWrite() => _naive.Serialize().Length;
}

/// <summary>RTCP: a compound SR + SDES + REMB parsed; transport-cc feedback for 100 packets parsed and built.</summary>
[MemoryDiagnoser]
public class RtcpBenchmarks
{
    private readonly byte[] _buffer = new byte[2000];
    private readonly RtcpTwccPacket[] _statuses = new RtcpTwccPacket[100];
    private readonly long[] _arrivals = new long[100];
    private byte[] _compound = [];
    private byte[] _twcc = [];

    [GlobalSetup]
    public void Setup()
    {
        int n = 0;
        RtcpWriter.TryWriteSenderReport(_buffer, 1, new NtpTime(1234567890123), 9000, 100, 120_000, [new RtcpReportBlock(2, 3, 4, 5, 6, 7, 8)], out int w);
        n += w;
        RtcpWriter.TryWriteSdesCname(_buffer.AsSpan(n), 1, "0123456789abcdef"u8, out w);
        n += w;
        RtcpWriter.TryWriteRemb(_buffer.AsSpan(n), 1, 2_500_000, [2, 3], out w);
        n += w;
        _compound = _buffer[..n];
        var random = new Random(3);
        long t = 1_000_000;
        for (int i = 0; i < _arrivals.Length; i++)
        {
            t += random.Next(0, 4000);
            _arrivals[i] = i % 17 == 5 ? -1 : t;
        }

        BuildTwcc();
        _twcc = _buffer[..BuildTwcc()];
    }

    /// <summary>Iterate the compound and read SR, its report block, the CNAME and the REMB.</summary>
    [Benchmark]
    public long ParseCompound()
    {
        long sum = 0;
        foreach (var packet in new RtcpCompoundEnumerator(_compound))
        {
            if (RtcpSenderReport.TryParse(packet, out var sr, out _))
            {
                sum += sr.PacketCount + sr.GetReport(0).Jitter;
            }
            else if (RtcpSdes.TryParse(packet, out var sdes, out _) && sdes.TryGetCname(1, out var cname))
            {
                sum += cname.Length;
            }
            else if (RtcpFeedback.TryParse(packet, out var fb, out _) && fb.TryGetRemb(out ulong bitrate, out _))
            {
                sum += (long)bitrate;
            }
        }

        return sum;
    }

    /// <summary>Parse transport-cc feedback for 100 packets and walk every status.</summary>
    [Benchmark]
    public long ParseTwcc()
    {
        long sum = 0;
        if (RtcpPacket.TryParse(_twcc, out var packet, out _, out _) && RtcpTransportFeedback.TryParse(packet, out var fb, out _))
        {
            foreach (var p in fb.Packets)
            {
                sum += p.Delta;
            }
        }

        return sum;
    }

    /// <summary>Build transport-cc feedback for 100 packets from arrival times.</summary>
    [Benchmark]
    public int BuildTwcc()
    {
        RtcpTransportFeedback.TryComputeDeltas(100, _arrivals, _statuses, out int reference);
        RtcpWriter.TryWriteTransportFeedback(_buffer, 1, 2, reference, 7, _statuses, out int written);
        return written;
    }
}

/// <summary>Packetize and depacketize a 100 KB VP8 keyframe and a 200 KB H.264 access unit at MTU 1200.</summary>
[MemoryDiagnoser]
public class RtpPacketizerBenchmarks
{
    private const int Mtu = 1200;
    private readonly byte[] _vp8Frame = new byte[100_000];
    private readonly byte[] _output = new byte[260_000];
    private readonly byte[] _frame = new byte[260_000];
    private readonly int[] _lengths = new int[400];
    private readonly Vp8Packetizer _vp8 = new();
    private readonly H264Packetizer _h264 = new();
    private byte[] _h264Au = [];
    private byte[] _vp8Payloads = [];
    private int[] _vp8Lengths = [];
    private byte[] _h264Payloads = [];
    private int[] _h264Lengths = [];
    private List<byte[]> _naivePayloads = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(9);
        random.NextBytes(_vp8Frame);
        _vp8Frame[0] &= 0xFE;
        var idr = new byte[200_000 - 40];
        random.NextBytes(idr);
        idr[0] = 0x65;
        idr.AsSpan().Replace((byte)0, (byte)1); // no start code emulation inside the random body
        _h264Au = [0, 0, 0, 1, 0x67, 0x42, 0xE0, 0x1F, 0xDA, 0x05, 0x82, 0x59, 0, 0, 0, 1, 0x68, 0xCE, 0x38, 0x80, 0, 0, 0, 1, .. idr];
        (_vp8Payloads, _vp8Lengths) = Capture(_vp8, _vp8Frame);
        (_h264Payloads, _h264Lengths) = Capture(_h264, _h264Au);
        _naivePayloads = NaiveVp8.Packetize(_vp8Frame, Mtu);
    }

    private (byte[], int[]) Capture(IRtpPacketizer packetizer, byte[] frame)
    {
        packetizer.TryPacketize(frame, Mtu, _output, _lengths, out int count);
        return (_output.ToArray(), _lengths[..count]);
    }

    /// <summary>VP8: 100 KB into MTU-sized payloads.</summary>
    [Benchmark]
    public int Vp8Packetize() => _vp8.TryPacketize(_vp8Frame, Mtu, _output, _lengths, out int count) ? count : -1;

    /// <summary>VP8: the payloads back into the frame.</summary>
    [Benchmark]
    public int Vp8Depacketize() => Depacketize(_vp8, _vp8Payloads, _vp8Lengths);

    /// <summary>H.264: a 200 KB access unit (SPS, PPS, IDR) into STAP-A + FU-A.</summary>
    [Benchmark]
    public int H264Packetize() => _h264.TryPacketize(_h264Au, Mtu, _output, _lengths, out int count) ? count : -1;

    /// <summary>H.264: the payloads back into Annex-B.</summary>
    [Benchmark]
    public int H264Depacketize() => Depacketize(_h264, _h264Payloads, _h264Lengths);

    /// <summary>Baseline VP8 packetize (a byte[] per packet).</summary>
    [Benchmark(Baseline = true)]
    public int NaiveVp8Packetize() => NaiveVp8.Packetize(_vp8Frame, Mtu).Count;

    /// <summary>Baseline VP8 depacketize (MemoryStream).</summary>
    [Benchmark]
    public int NaiveVp8Depacketize() => NaiveVp8.Depacketize(_naivePayloads).Length;

    private int Depacketize(IRtpDepacketizer depacketizer, byte[] payloads, int[] lengths)
    {
        int position = 0, length = 0;
        foreach (int l in lengths)
        {
            depacketizer.TryAppend(payloads.AsSpan(position, l), _frame.AsSpan(length), out int written);
            length += written;
            position += l;
        }

        return length;
    }
}
