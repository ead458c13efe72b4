using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using WebRtc.Client.Codecs;
using WebRtc.Client.Media;
using WebRtc.Client.Net;
using WebRtc.Client.Srtp;

namespace WebRtc.Client.Benchmarks;

/// <summary>
/// The whole per-packet media path on real loopback UDP sockets, 1200-byte VP8 packets (MTU 1200:
/// 1157-byte payloads, mid + abs-send-time extensions, SRTP_AES128_CM_HMAC_SHA1_80), with the floors
/// measured in the same run:
/// <list type="bullet">
/// <item><c>SendPath</c>: an encoded 11.5 kB VP8 frame into <see cref="RtpSendStream"/> — packetize (10 packets),
/// header extensions, send history, statistics, SRTP protect, sendto — per packet.</item>
/// <item><c>ReceivePath</c>: sendto of a recorded SRTP packet, recvfrom, then <see cref="RtpMediaTransport"/>'s receive:
/// unprotect, parse, route (MID), statistics, NACK tracking, frame assembly (no decode) — per packet.</item>
/// <item>Floors: bare <see cref="SrtpContext"/> protect/unprotect of the same packet; bare sendto; bare sendto + recvfrom.</item>
/// </list>
/// No timers run (a time provider whose timers never fire), so the rows are the packet path alone.
/// </summary>
[MemoryDiagnoser]
public class MediaPathBenchmarks
{
    private const int Mtu = 1200;
    private const int PacketsPerFrame = 10;
    private const int FrameBytes = PacketsPerFrame * (Mtu - 12 - 13 - 16 - 2 - 4); // payload room minus the VP8 descriptor
    private const int Ring = 65536; // one full sequence-number cycle: SRTP's ROC restarts with the replay state

    private readonly MediaStreamTrack _track = new(MediaKind.Video, "bench", null);
    private readonly byte[] _frame = new byte[FrameBytes];
    private readonly byte[] _buffer = new byte[2048];
    private readonly byte[] _rxBuffer = new byte[2048];
    private Socket _sink = null!;
    private Socket _txRaw = null!;
    private Socket _rx = null!;
    private Socket _sendSocket = null!;
    private SocketAddress _sinkAddress = null!;
    private SocketAddress _rxAddress = null!;
    private SocketAddress _from = null!;
    private RtpMediaTransport _sender = null!;
    private RtpSendStream _sendStream = null!;
    private RtpMediaTransport _receiver = null!;
    private UdpPath _receivePath = null!;
    private byte[] _recorded = [];
    private int[] _recordedOffsets = [];
    private int _next;
    private long _frames;
    private SrtpContext _floorTx = null!;
    private SrtpContext _floorRx = null!;
    private byte[] _floorPlain = [];
    private byte[][] _floorWire = [];
    private ushort _floorSeq;
    private int _floorNext;

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_frame);
        _frame[0] = 0x11; // a VP8 delta frame
        _sink = Bound();
        _rx = Bound();
        _txRaw = Bound();
        _sendSocket = Bound();
        _sinkAddress = ((IPEndPoint)_sink.LocalEndPoint!).Serialize();
        _rxAddress = ((IPEndPoint)_rx.LocalEndPoint!).Serialize();
        _from = new IPEndPoint(IPAddress.Loopback, 0).Serialize();

        var profile = SrtpProfile.AesCm128HmacSha1_80;
        var exported = RandomNumberGenerator.GetBytes(SrtpKeyingMaterial.GetExportLength(profile));
        var keysA = SrtpKeyingMaterial.Split(profile, exported, isDtlsClient: false);
        var keysB = SrtpKeyingMaterial.Split(profile, exported, isDtlsClient: true);
        var codec = CodecInfo.Video("VP8", Codecs.FFmpeg.FFmpegCodecs.Vp8, feedback: CodecRegistry.VideoFeedback);
        var sendConfig = new SendConfig(codec, 96, 90000, 0, null, 97, 1, 2, 0, true);

        // (a) The sender: a real transport on a real socket, sending to a sink nobody reads (the kernel drops what overflows).
        _sender = new RtpMediaTransport(NoTimers.Instance, "bench-a", NullLogger.Instance);
        _sender.Start(new UdpPath(_sendSocket, _sinkAddress), keysA);
        _sendStream = new RtpSendStream(MediaKind.Video, "v", 0xA0A0A0A0, 0xA0A0A0A1, _sender, Mtu, NullLogger.Instance);
        _sendStream.Configure(sendConfig);

        // (b) The receiver, and one full sequence cycle of its input recorded from a second sender with the same keys.
        _receiver = new RtpMediaTransport(NoTimers.Instance, "bench-b", NullLogger.Instance);
        _receivePath = new UdpPath(_rx, _rxAddress);
        _receiver.Start(_receivePath, keysB);
        var receiver = new RTCRtpReceiver(new MediaStreamTrack(MediaKind.Video, string.Empty, null), _ => throw new NotSupportedException(), NullLogger.Instance);
        var receiveStream = new RtpReceiveStream(MediaKind.Video, receiver, _receiver, () => 0xB0B0B0B0, NullLogger.Instance);
        receiver.Stream = receiveStream;
        receiveStream.Configure(new ReceiveConfig("v", [new ReceiveCodec(96, codec, 90000, 0, null, 97)], 1, 0, true, true, []));
        _receiver.SetStreams([], [receiveStream]);
        Record(keysA, sendConfig);
        for (int i = 0; i < 20; i++)
        {
            ReceivePath();
        }

        if (_receiver.DroppedPackets != 0)
        {
            throw new InvalidOperationException($"The receive path dropped {_receiver.DroppedPackets} of the recorded packets");
        }


        // Floors: the bare SRTP transform of one such packet, and a ring of protected copies for unprotect.
        _floorPlain = _recordedPlainSample;
        _floorTx = new SrtpContext(profile, RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(14));
        var salt = RandomNumberGenerator.GetBytes(14);
        var key = RandomNumberGenerator.GetBytes(16);
        using var ringTx = new SrtpContext(profile, key, salt);
        _floorRx = new SrtpContext(profile, key, salt);
        _floorWire = new byte[1024][];
        for (int i = 0; i < _floorWire.Length; i++)
        {
            _floorPlain.CopyTo(_buffer, 0);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), (ushort)i);
            ringTx.TryProtectRtp(_buffer, _floorPlain.Length, out int n);
            _floorWire[i] = _buffer.AsSpan(0, n).ToArray();
        }

        if (_floorPlain.Length < 1100 || _floorWire[0].Length != _floorPlain.Length + 10 || Floor_SrtpProtect() != _floorWire[0].Length || Floor_SrtpUnprotect() != _floorPlain.Length)
        {
            throw new InvalidOperationException("The SRTP floors do not work on the sample packet");
        }
    }

    private byte[] _recordedPlainSample = [];

    private void Record(SrtpKeyingMaterial keysA, SendConfig config)
    {
        var capture = new CapturePath();
        var recorder = new RtpMediaTransport(NoTimers.Instance, "bench-rec", NullLogger.Instance);
        recorder.Start(capture, keysA);
        var stream = new RtpSendStream(MediaKind.Video, "v", 0xC0C0C0C0, 0xC0C0C0C1, recorder, Mtu, NullLogger.Instance);
        stream.Configure(config with { Nack = false });

        // One full cycle from sequence 0 (SRTP ROC 0 throughout, so a fresh receive context takes the replay again):
        // the stream's random first sequence number is set to 0 (the field is private; this is the recorder only).
        typeof(RtpSendStream).GetField("_sequence", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.SetValue(stream, (ushort)0);
        var data = new List<byte>(Ring * 1200);
        var offsets = new List<int>(Ring + 1);
        bool started = false;
        var track = new MediaStreamTrack(MediaKind.Video, "rec", null);
        for (int frame = 0; offsets.Count < Ring; frame++)
        {
            capture.Packets.Clear();
            stream.OnEncodedFrame(track, new EncodedMediaFrame("VP8", _frame, TimeSpan.FromMilliseconds(frame * 33.3), false));
            foreach (var packet in capture.Packets)
            {
                ushort seq = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2));
                started |= seq == 0;
                if (started && offsets.Count < Ring)
                {
                    offsets.Add(data.Count);
                    data.AddRange(packet);
                }
            }
        }

        offsets.Add(data.Count);
        _recorded = data.ToArray();
        _recordedOffsets = offsets.ToArray();

        // A plain sample packet of the same shape for the SRTP floors.
        var plain = _recorded.AsSpan(0, _recordedOffsets[1]).ToArray();
        using var rx = new SrtpContext(keysA.Profile, keysA.LocalMasterKey.Span, keysA.LocalMasterSalt.Span);
        if (!rx.TryUnprotectRtp(plain, plain.Length, out int plainLength))
        {
            throw new InvalidOperationException("The recording does not verify");
        }

        _recordedPlainSample = plain[..plainLength];
        recorder.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sendStream.Dispose();
        _sender.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _receiver.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _floorTx.Dispose();
        _floorRx.Dispose();
        _sink.Dispose();
        _rx.Dispose();
        _txRaw.Dispose();
        _sendSocket.Dispose();
    }

    /// <summary>The full send path, per packet: one encoded frame in, ten SRTP packets out through sendto.</summary>
    [Benchmark(OperationsPerInvoke = PacketsPerFrame)]
    public void SendPath()
    {
        _sendStream.OnEncodedFrame(_track, new EncodedMediaFrame("VP8", _frame, TimeSpan.FromTicks(_frames++ * 333_333), false));
    }

    /// <summary>Floor: sendto of a datagram of the same size to the same sink.</summary>
    [Benchmark]
    public int Floor_SendTo() => _txRaw.SendTo(_floorWire[0], SocketFlags.None, _sinkAddress);

    /// <summary>Floor: the bare SRTP protect of one such packet (header refreshed each time).</summary>
    [Benchmark]
    public int Floor_SrtpProtect()
    {
        _floorPlain.CopyTo(_buffer, 0);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _floorSeq++);
        _floorTx.TryProtectRtp(_buffer, _floorPlain.Length, out int n);
        return n;
    }

    /// <summary>Floor: the bare SRTP unprotect of one such packet.</summary>
    [Benchmark]
    public int Floor_SrtpUnprotect()
    {
        int i = _floorNext++ & 1023;
        if (i == 1023)
        {
            _floorRx.ResetReceiveState();
        }

        var wire = _floorWire[i];
        wire.CopyTo(_buffer, 0);
        _floorRx.TryUnprotectRtp(_buffer, wire.Length, out int n);
        return n;
    }

    /// <summary>The full receive path, per packet: sendto of the next recorded packet, recvfrom, unprotect, route, assemble.</summary>
    [Benchmark]
    public int ReceivePath()
    {
        int n = SendAndReceiveNext();
        _receivePath.Receiver!(_rxBuffer.AsSpan(0, n));
        return n;
    }

    /// <summary>Floor for <see cref="ReceivePath"/>: the same sendto + recvfrom, nothing done with the datagram.</summary>
    [Benchmark]
    public int Floor_SendToRecvFrom() => SendAndReceiveNext();

    private int SendAndReceiveNext()
    {
        int i = _next;
        _next = (i + 1) & (Ring - 1);
        if (_next == 0)
        {
            // The recording is one sequence cycle: replaying it again is a wrap to ROC 0, which SRTP sees as a replay.
            _receiver.ResetSrtpReceiveState();
        }

        _txRaw.SendTo(_recorded.AsSpan(_recordedOffsets[i], _recordedOffsets[i + 1] - _recordedOffsets[i]), SocketFlags.None, _rxAddress);
        return _rx.ReceiveFrom(_rxBuffer, SocketFlags.None, _from);
    }

    /// <summary>A path over a bound UDP socket to one peer address; receive is driven by the benchmark.</summary>
    private sealed class UdpPath(Socket socket, SocketAddress remote) : IDatagramTransport
    {
        public bool IsWritable => true;

        public DatagramReceiver? Receiver { get; set; }

        public bool TrySend(ReadOnlySpan<byte> datagram) => socket.SendTo(datagram, SocketFlags.None, remote) == datagram.Length;
    }

    private sealed class CapturePath : IDatagramTransport
    {
        public List<byte[]> Packets { get; } = new();

        public bool IsWritable => true;

        public DatagramReceiver? Receiver { get; set; }

        public bool TrySend(ReadOnlySpan<byte> datagram)
        {
            Packets.Add(datagram.ToArray());
            return true;
        }
    }

    /// <summary>Real clock, timers that never fire: the RTCP tick stays out of the per-packet rows.</summary>
    private sealed class NoTimers : TimeProvider
    {
        public static readonly NoTimers Instance = new();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Never();

        private sealed class Never : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
