using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WebRtc.Client.Codecs;
using WebRtc.Client.Media;
using WebRtc.Client.Net;
using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;
using WebRtc.Client.Srtp;

namespace WebRtc.Client.Tests.Media;

/// <summary>
/// One end of an in-memory datagram link. Sends are queued, not delivered inline, so that no
/// stack code re-enters itself through the link; <see cref="MediaRig.Flush"/> delivers them.
/// </summary>
internal sealed class DatagramPipe : IDatagramTransport
{
    private readonly Queue<byte[]> _outbox = new();

    public DatagramPipe? Peer { get; private set; }

    public bool IsWritable => true;

    public DatagramReceiver? Receiver { get; set; }

    /// <summary>Every datagram this end sent, as it went on the wire (SRTP/SRTCP), in order.</summary>
    public List<byte[]> Sent { get; } = new();

    /// <summary>Returns false to lose a datagram on the way (it still appears in <see cref="Sent"/>).</summary>
    public Func<byte[], bool>? Filter { get; set; }

    public static (DatagramPipe A, DatagramPipe B) CreatePair()
    {
        var a = new DatagramPipe();
        var b = new DatagramPipe();
        a.Peer = b;
        b.Peer = a;
        return (a, b);
    }

    public bool TrySend(ReadOnlySpan<byte> datagram)
    {
        var copy = datagram.ToArray();
        lock (_outbox)
        {
            Sent.Add(copy);
            if (Filter?.Invoke(copy) != false)
            {
                _outbox.Enqueue(copy);
            }
        }

        return true;
    }

    /// <summary>Delivers one queued datagram to the peer; false when none is queued.</summary>
    public bool DeliverOne()
    {
        byte[] next;
        lock (_outbox)
        {
            if (!_outbox.TryDequeue(out next!))
            {
                return false;
            }
        }

        Peer!.Receiver?.Invoke(next);
        return true;
    }

    public void Clear()
    {
        lock (_outbox)
        {
            _outbox.Clear();
            Sent.Clear();
        }
    }
}

/// <summary>
/// A trivial VP8-shaped codec adapter: each encoded frame starts with a VP8 frame tag whose P bit
/// says key/delta (so the RFC 7741 depacketizer sees keyframes), then the frame number, then a
/// recognizable byte pattern. The decoder records what it got and returns a small picture.
/// </summary>
internal sealed class TestVideoCodec : IVideoCodecFactory
{
    public int FrameSize { get; set; } = 2500;

    public List<bool> EncodedKeyFlags { get; } = new();

    public List<byte[]> Decoded { get; } = new();

    /// <summary>When set, the decoder gives no picture (as a real one does for garbage).</summary>
    public bool DecoderFails { get; set; }

    public static byte[] MakeFrame(int number, bool key, int size)
    {
        var data = new byte[size];
        data[0] = (byte)(key ? 0x10 : 0x11);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(1), number);
        for (int i = 5; i < size; i++)
        {
            data[i] = (byte)(i * 7 + number);
        }

        return data;
    }

    public static bool IsKey(ReadOnlySpan<byte> frame) => (frame[0] & 0x01) == 0;

    public IVideoEncoder CreateEncoder(VideoEncoderSettings settings) => new Encoder(this);

    public IVideoDecoder CreateDecoder() => new Decoder(this);

    private sealed class Encoder(TestVideoCodec owner) : IVideoEncoder
    {
        private bool _key = true;
        private int _number;

        public string CodecName => "VP8";

        public int TargetBitrate { get; set; }

        public double FrameRate { get; set; }

        public int TemporalLayers => 1;

        public void RequestKeyFrame() => _key = true;

        public bool Encode(VideoFrame frame, IBufferWriter<byte> output, out bool isKeyFrame)
        {
            isKeyFrame = _key;
            _key = false;
            var data = MakeFrame(_number++, isKeyFrame, owner.FrameSize);
            output.Write(data);
            lock (owner.EncodedKeyFlags)
            {
                owner.EncodedKeyFlags.Add(isKeyFrame);
            }

            return true;
        }

        public void Dispose()
        {
        }
    }

    private sealed class Decoder(TestVideoCodec owner) : IVideoDecoder
    {
        public string CodecName => "VP8";

        public VideoFrame? Decode(ReadOnlySpan<byte> encodedFrame, TimeSpan timestamp)
        {
            lock (owner.Decoded)
            {
                owner.Decoded.Add(encodedFrame.ToArray());
            }

            return owner.DecoderFails ? null : VideoFrame.Create(16, 16, timestamp);
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>A trivial 8 kHz mono audio codec adapter: 160-sample frames, payload = the first sample and the frame number.</summary>
internal sealed class TestAudioCodec : IAudioCodecFactory
{
    public IAudioEncoder CreateEncoder(AudioEncoderSettings settings) => new Encoder();

    public IAudioDecoder CreateDecoder(int channels) => new Decoder();

    private sealed class Encoder : IAudioEncoder
    {
        private int _number;

        public string CodecName => "TEST";

        public int SampleRate => 8000;

        public int Channels => 1;

        public int FrameSize => 160;

        public int Bitrate { get; set; }

        public bool Fec { get; set; }

        public bool Dtx { get; set; }

        public int ExpectedLossPercent { get; set; }

        public int Encode(ReadOnlySpan<short> pcm, Span<byte> output)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(output, pcm[0]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(output[2..], _number++);
            return 6;
        }

        public void Dispose()
        {
        }
    }

    private sealed class Decoder : IAudioDecoder
    {
        public string CodecName => "TEST";

        public int SampleRate => 8000;

        public int Channels => 1;

        public bool SupportsFec => false;

        public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
        {
            if (payload.Length < 2)
            {
                return 0;
            }

            pcm[..160].Fill(System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(payload));
            return 160;
        }

        public int Conceal(int samplesPerChannel, Span<short> pcm)
        {
            pcm[..samplesPerChannel].Clear();
            return samplesPerChannel;
        }

        public int DecodeFec(ReadOnlySpan<byte> nextPayload, int samplesPerChannel, Span<short> pcm) => Conceal(samplesPerChannel, pcm);

        public void Dispose()
        {
        }
    }
}

/// <summary>
/// Two <see cref="RtpMediaTransport"/>s keyed against each other (real SRTP contexts from one random
/// DTLS export, A as DTLS server, B as client) over a <see cref="DatagramPipe"/> pair, on one
/// <see cref="FakeTimeProvider"/>. Also holds spare contexts with the same keys, to forge packets
/// "from A" that pass B's authentication, and to read what went on the wire.
/// </summary>
internal sealed class MediaRig : IAsyncDisposable
{
    public const SrtpProfile Profile = SrtpProfile.AesCm128HmacSha1_80;
    public const int VideoPt = 96;
    public const int RtxPt = 97;
    public const int MidId = 1;
    public const int AbsSendTimeId = 2;
    public const int AudioLevelId = 3;

    private readonly SrtpKeyingMaterial _keysA;
    private readonly SrtpKeyingMaterial _keysB;
    private readonly List<IDisposable> _disposables = new();

    public MediaRig(SrtpProfile profile = Profile)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var exported = RandomNumberGenerator.GetBytes(SrtpKeyingMaterial.GetExportLength(profile));
        _keysA = SrtpKeyingMaterial.Split(profile, exported, isDtlsClient: false);
        _keysB = SrtpKeyingMaterial.Split(profile, exported, isDtlsClient: true);
        (PipeA, PipeB) = DatagramPipe.CreatePair();
        A = new RtpMediaTransport(Time, "alice-cname", NullLogger.Instance);
        B = new RtpMediaTransport(Time, "bob-cname", NullLogger.Instance);
        A.Start(PipeA, _keysA);
        B.Start(PipeB, _keysB);
        ForgeFromA = _keysA.CreateLocalContext();
        ForgeFromB = _keysB.CreateLocalContext();
        _disposables.Add(ForgeFromA);
        _disposables.Add(ForgeFromB);
    }

    public FakeTimeProvider Time { get; }

    public DatagramPipe PipeA { get; }

    public DatagramPipe PipeB { get; }

    public RtpMediaTransport A { get; }

    public RtpMediaTransport B { get; }

    /// <summary>A second context with A's sending keys: what it protects, B accepts as A's.</summary>
    public SrtpContext ForgeFromA { get; }

    /// <summary>A second context with B's sending keys.</summary>
    public SrtpContext ForgeFromB { get; }

    /// <summary>A fresh context that reads what A sent (A's keys, its own replay state).</summary>
    public SrtpContext NewReaderOfA()
    {
        var c = _keysB.CreateRemoteContext();
        _disposables.Add(c);
        return c;
    }

    /// <summary>A fresh context that reads what B sent.</summary>
    public SrtpContext NewReaderOfB()
    {
        var c = _keysA.CreateRemoteContext();
        _disposables.Add(c);
        return c;
    }

    /// <summary>Delivers everything queued both ways until both links are empty.</summary>
    public void Flush()
    {
        for (int guard = 0; guard < 100_000; guard++)
        {
            bool any = PipeA.DeliverOne() | PipeB.DeliverOne();
            if (!any)
            {
                return;
            }
        }

        throw new InvalidOperationException("The links never drained: a feedback loop");
    }

    /// <summary>Moves the fake clock in 20 ms steps (one media tick each), flushing the links after each.</summary>
    public void Advance(TimeSpan span)
    {
        var step = TimeSpan.FromMilliseconds(20);
        for (var t = TimeSpan.Zero; t < span; t += step)
        {
            Time.Advance(step);
            Flush();
        }
    }

    public static SendConfig VideoSendConfig(IVideoCodecFactory codec, bool mid = true, bool nack = true, int? rtxPt = RtxPt) =>
        new(CodecInfo.Video("VP8", codec, feedback: CodecRegistry.VideoFeedback), VideoPt, 90000, 0, null, rtxPt,
            mid ? MidId : 0, AbsSendTimeId, 0, nack);

    public static ReceiveConfig VideoReceiveConfig(string mid, IVideoCodecFactory codec, int pt = VideoPt, int? rtxPt = RtxPt, bool midExtension = true, bool nack = true, bool pli = true, params uint[] declared) =>
        new(mid, [new ReceiveCodec(pt, CodecInfo.Video("VP8", codec, feedback: CodecRegistry.VideoFeedback), 90000, 0, null, rtxPt)],
            midExtension ? MidId : 0, 0, nack, pli, declared);

    public RtpSendStream NewSender(RtpMediaTransport transport, MediaKind kind, string mid, uint ssrc, SendConfig config, int mtu = 1200)
    {
        var s = new RtpSendStream(kind, mid, ssrc, ssrc + 1, transport, mtu, NullLogger.Instance);
        s.Configure(config);
        _disposables.Add(s);
        return s;
    }

    public static (RtpReceiveStream Stream, RTCRtpReceiver Receiver) NewReceiver(RtpMediaTransport transport, MediaKind kind, ReceiveConfig config, uint localSsrc = 0x0BB0B)
    {
        var track = new MediaStreamTrack(kind, string.Empty, null);
        var receiver = new RTCRtpReceiver(track, _ => throw new NotSupportedException(), NullLogger.Instance) { DecodeAlways = true };
        var stream = new RtpReceiveStream(kind, receiver, transport, () => localSsrc, NullLogger.Instance);
        receiver.Stream = stream;
        stream.Configure(config);
        return (stream, receiver);
    }

    /// <summary>Writes an RTP packet (optionally with a one-byte MID extension) and protects it with <paramref name="context"/>.</summary>
    public static byte[] Protect(SrtpContext context, byte pt, ushort seq, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload, string? mid = null, bool marker = false)
    {
        var buffer = new byte[2048];
        var writer = new RtpPacketWriter(buffer);
        writer.TryWriteHeader(new RtpHeader { Marker = marker, PayloadType = pt, SequenceNumber = seq, Timestamp = timestamp, Ssrc = ssrc });
        if (mid is not null)
        {
            writer.TryBeginExtensions(RtpExtensionForm.OneByte);
            writer.TryAddExtension(MidId, System.Text.Encoding.ASCII.GetBytes(mid));
        }

        writer.TryWritePayload(payload);
        Assert.That(context.TryProtectRtp(buffer, writer.Length, out int length), Is.True);
        return buffer[..length];
    }

    public static byte[] ProtectRtcp(SrtpContext context, ReadOnlySpan<byte> compound)
    {
        var buffer = new byte[2048];
        compound.CopyTo(buffer);
        Assert.That(context.TryProtectRtcp(buffer, compound.Length, out int length), Is.True);
        return buffer[..length];
    }

    /// <summary>Unprotects a copy of an SRTCP datagram with <paramref name="reader"/>; null when it is not SRTCP it accepts.</summary>
    public static byte[]? ReadRtcp(SrtpContext reader, byte[] wire)
    {
        if (wire.Length < 2 || wire[1] is < 192 or > 223)
        {
            return null;
        }

        var copy = wire.ToArray();
        return reader.TryUnprotectRtcp(copy, copy.Length, out int plain) ? copy[..plain] : null;
    }

    /// <summary>Unprotects a copy of an SRTP datagram with <paramref name="reader"/>; null when it is RTCP or not accepted.</summary>
    public static byte[]? ReadRtp(SrtpContext reader, byte[] wire)
    {
        if (wire.Length < 2 || wire[1] is >= 192 and <= 223)
        {
            return null;
        }

        var copy = wire.ToArray();
        return reader.TryUnprotectRtp(copy, copy.Length, out int plain) ? copy[..plain] : null;
    }

    /// <summary>The RTCP packet types in a plain compound packet, in order.</summary>
    public static List<RtcpPacketType> Types(ReadOnlySpan<byte> compound)
    {
        var types = new List<RtcpPacketType>();
        foreach (var p in new RtcpCompoundEnumerator(compound))
        {
            types.Add(p.Type);
        }

        return types;
    }

    public void Track(IDisposable d) => _disposables.Add(d);

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        foreach (var d in _disposables)
        {
            d.Dispose();
        }
    }
}
