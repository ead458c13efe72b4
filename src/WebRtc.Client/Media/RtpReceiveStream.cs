using Microsoft.Extensions.Logging;
using WebRtc.Client.Codecs;
using WebRtc.Client.Media.Stages;
using WebRtc.Client.Packetization;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Media;

/// <summary>One payload type a receiver decodes.</summary>
internal sealed record ReceiveCodec(int PayloadType, CodecInfo Codec, int ClockRate, int Channels, string? Fmtp, int? RtxPayloadType);

/// <summary>What one negotiation settled for a receiver.</summary>
internal sealed record ReceiveConfig(string Mid, IReadOnlyList<ReceiveCodec> Codecs, int MidExtensionId, int AudioLevelExtensionId,
    bool Nack, bool Pli, IReadOnlyList<uint> DeclaredSsrcs);

/// <summary>
/// The receive half of one transceiver: routed RTP → (RTX unwrap) → statistics and NACK tracking →
/// frame assembly → the receiver's raw/encoded events → decoder → the track. Asks for a keyframe
/// (PLI) when it starts and after a frame it could not complete or decode.
/// </summary>
internal sealed class RtpReceiveStream
{
    private static readonly TimeSpan KeyFrameRequestInterval = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan StallTimeout = TimeSpan.FromMilliseconds(250);
    private const int MaxNacksPerTick = 64;

    private readonly ILogger _logger;
    private readonly RtpMediaTransport _transport;
    private readonly RTCRtpReceiver _owner;
    private readonly byte[] _rtxBuffer = new byte[1500];
    private readonly short[] _pcm = new short[5760 * 2];
    private readonly ushort[] _nacks = new ushort[MaxNacksPerTick];
    private readonly Func<uint> _localSsrc;
    private readonly RtpFrameAssembler.FrameHandler _onFrame;
    private ReceiveConfig? _config;
    private Dictionary<int, ReceiveCodec> _byPt = new();
    private Dictionary<int, ReceiveCodec> _byRtxPt = new();
    private readonly Dictionary<string, IVideoDecoder> _videoDecoders = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, IAudioDecoder> _audioDecoders = new();
    private RtpFrameAssembler? _assembler;
    private ReceiveCodec? _assemblerCodec;
    // One assembler per depacketizer kind, made once: a stream switching payload type (or SSRC) resets one
    // instead of allocating another 4 MB frame buffer and 512 slots per switch.
    private readonly Dictionary<string, RtpFrameAssembler> _assemblers = new(StringComparer.OrdinalIgnoreCase);
    private AudioFrame? _audioFrame;
    private ReceiveCodec? _currentCodec;
    private NackGenerator? _nack;
    private bool _waitingForKeyFrame = true;
    private TimeSpan? _lastKeyFrameRequest;
    private TimeSpan _lastFrameTime;
    private TimeSpan _lastPacketTime;
    private bool _packetsSinceFrame;
    private bool _keyFrameRequestPending;
    private int _lastAudioSeq = -1;
    private uint? _remoteSsrc;

    public RtpReceiveStream(MediaKind kind, RTCRtpReceiver owner, RtpMediaTransport transport, Func<uint> localSsrc, ILogger logger)
    {
        Kind = kind;
        _owner = owner;
        _transport = transport;
        _localSsrc = localSsrc;
        _logger = logger;
        _onFrame = OnFrame;
    }

    public MediaKind Kind { get; }

    public string? Mid => _config?.Mid;

    public IEnumerable<int> PayloadTypes => _byPt.Keys.Concat(_byRtxPt.Keys);

    public IReadOnlyList<uint> DeclaredSsrcs => _config?.DeclaredSsrcs ?? [];

    public int MidExtensionId => _config?.MidExtensionId ?? 0;

    /// <summary>The SSRC our RTCP about this stream comes from (its transceiver's sender SSRC).</summary>
    public uint LocalSsrc => _localSsrc();

    public uint? RemoteSsrc => _remoteSsrc;

    public RtpReceiveStatistics? Statistics { get; private set; }

    public ReceiveCodec? CurrentCodec => _currentCodec;

    /// <summary>Round-trip time for NACK pacing (from our sender's reports, else a default).</summary>
    public TimeSpan RoundTripTime = TimeSpan.FromMilliseconds(50);

    // Stats members (W3C inbound-rtp).
    public long FramesReceived;
    public long FramesDecoded;
    public long KeyFramesDecoded;
    public long FramesDropped;
    public long PliSent;
    public long NackSent;
    public long RetransmittedPacketsReceived;
    public int FrameWidth;
    public int FrameHeight;
    public double TotalDecodeTime;
    public double AudioLevel;
    public double TotalAudioEnergy;
    public double TotalSamplesDuration;
    public long TotalSamplesReceived;
    public long ConcealedSamples;

    public void Configure(ReceiveConfig? config)
    {
        _config = config;
        _byPt = config?.Codecs.ToDictionary(c => c.PayloadType) ?? new();
        _byRtxPt = config?.Codecs.Where(c => c.RtxPayloadType is not null).GroupBy(c => c.RtxPayloadType!.Value).ToDictionary(g => g.Key, g => g.First()) ?? new();
        _nack = config is { Nack: true } && Kind == MediaKind.Video ? _nack ?? new NackGenerator() : null;
    }

    /// <summary>One routed, decrypted RTP packet, on the receive thread (the transport's receive lock is held).</summary>
    public void OnRtp(in RtpPacket packet, TimeSpan now)
    {
        if (_config is null || _disposed)
        {
            return;
        }

        if (_byRtxPt.TryGetValue(packet.PayloadType, out var repaired))
        {
            OnRtx(packet, repaired, now);
            return;
        }

        if (!_byPt.TryGetValue(packet.PayloadType, out var codec))
        {
            Dropped("payload type {0} is not negotiated on mid {1}", packet.PayloadType, _config.Mid);
            return;
        }

        Accept(packet, codec, now, retransmission: false);
    }

    private void OnRtx(in RtpPacket rtx, ReceiveCodec codec, TimeSpan now)
    {
        // RFC 4588 §4: an RTX payload without the 2-byte OSN is padding (bandwidth probing).
        if (rtx.Payload.Length <= 2 || _remoteSsrc is not { } ssrc)
        {
            return;
        }

        if (!RtxPacket.TryUnwrap(rtx.Raw[..(rtx.Raw.Length - rtx.PaddingLength)], (byte)codec.PayloadType, ssrc, _rtxBuffer, out int written)
            || !RtpPacket.TryParse(_rtxBuffer.AsSpan(0, written), out var original, out _))
        {
            Dropped("a malformed RTX packet (payload type {0}) on mid {1}", rtx.PayloadType, _config!.Mid);
            return;
        }

        RetransmittedPacketsReceived++;
        Accept(original, codec, now, retransmission: true);
    }

    private void Accept(in RtpPacket packet, ReceiveCodec codec, TimeSpan now, bool retransmission)
    {
        if (_remoteSsrc != packet.Ssrc)
        {
            if (_remoteSsrc is not null)
            {
                _logger.LogDebug("Mid {Mid}: the remote SSRC changed from {Old} to {New}; statistics restart", _config!.Mid, _remoteSsrc, packet.Ssrc);
            }

            _remoteSsrc = packet.Ssrc;
            Statistics = new RtpReceiveStatistics(packet.Ssrc, codec.ClockRate);
            // A new source numbers its packets from anywhere: forget the old one's sequence state.
            _assembler?.Reset();
            _lastAudioSeq = -1;
            if (_nack is not null)
            {
                _nack = new NackGenerator();
            }

            _waitingForKeyFrame = true;
            _owner.Track.SetMuted(false);
        }

        _currentCodec = codec;
        _lastPacketTime = now;
        Statistics!.OnPacket(packet.SequenceNumber, packet.Timestamp, now, packet.Payload.Length, retransmission);
        _owner.RaiseRtpPacket(packet.Raw);
        if (Kind == MediaKind.Audio)
        {
            OnAudio(packet, codec);
            return;
        }

        _nack?.OnPacket(packet.SequenceNumber, now);
        if (_assembler is null || !ReferenceEquals(_assemblerCodec, codec))
        {
            SwitchAssembler(codec);
        }

        _packetsSinceFrame = true;
        _assembler.Push(packet);
    }

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_assembler))]
    private void SwitchAssembler(ReceiveCodec codec)
    {
        string kind = DepacketizerKind(codec);
        if (!_assemblers.TryGetValue(kind, out var assembler))
        {
            assembler = new RtpFrameAssembler(CreateDepacketizer(kind));
            assembler.Frame += _onFrame;
            _assemblers[kind] = assembler;
        }
        else if (!ReferenceEquals(assembler, _assembler))
        {
            assembler.Reset();
        }

        _assembler = assembler;
        _assemblerCodec = codec;
    }

    private static string DepacketizerKind(ReceiveCodec codec) => codec.Codec.Name switch
    {
        var n when n.Equals("VP8", StringComparison.OrdinalIgnoreCase) => "VP8",
        var n when n.Equals("VP9", StringComparison.OrdinalIgnoreCase) => "VP9",
        var n when n.Equals("H264", StringComparison.OrdinalIgnoreCase) => "H264",
        _ => "other",
    };

    private static IRtpDepacketizer CreateDepacketizer(string kind) => kind switch
    {
        "VP8" => new Vp8Packetizer(),
        "VP9" => new Vp9Packetizer(),
        "H264" => new H264Packetizer(),
        _ => new AudioPacketizer(),
    };

    private void OnFrame(in AssembledFrame frame, ReadOnlySpan<byte> data)
    {
        _lastFrameTime = _lastPacketTime;
        _packetsSinceFrame = false;
        if (!frame.IsComplete)
        {
            FramesDropped++;
            _waitingForKeyFrame = true;
            _keyFrameRequestPending = true;
            return;
        }

        FramesReceived++;
        if (_waitingForKeyFrame && !frame.IsKeyFrame)
        {
            // A delta frame after a gap would decode to garbage: wait for the keyframe we asked for.
            FramesDropped++;
            _keyFrameRequestPending = true;
            return;
        }

        var codec = _assemblerCodec!;
        _owner.RaiseEncodedFrame(codec.Codec.Name, data, frame.Timestamp, frame.IsKeyFrame);
        if (!_owner.Track.WantsDecodedFrames && !_owner.DecodeAlways)
        {
            _waitingForKeyFrame = false;
            return;
        }

        if (!_videoDecoders.TryGetValue(codec.Codec.Name, out var decoder))
        {
            if (codec.Codec.VideoFactory is not { } factory)
            {
                return;
            }

            decoder = factory.CreateDecoder();
            _videoDecoders[codec.Codec.Name] = decoder;
        }

        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        using var picture = decoder.Decode(data, TimeSpan.FromTicks(frame.Timestamp * TimeSpan.TicksPerSecond / codec.ClockRate));
        TotalDecodeTime += System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (picture is null)
        {
            if (frame.IsKeyFrame || !_waitingForKeyFrame)
            {
                _logger.LogDebug("Mid {Mid}: the {Codec} decoder gave no picture for a {Size}-byte frame; asking for a keyframe", _config!.Mid, codec.Codec.Name, data.Length);
            }

            _waitingForKeyFrame = true;
            _keyFrameRequestPending = true;
            return;
        }

        _waitingForKeyFrame = false;
        FramesDecoded++;
        if (frame.IsKeyFrame)
        {
            KeyFramesDecoded++;
        }

        FrameWidth = picture.Width;
        FrameHeight = picture.Height;
        _owner.Track.DeliverVideo(picture, _logger);
    }

    private void OnAudio(in RtpPacket packet, ReceiveCodec codec)
    {
        _owner.RaiseEncodedFrame(codec.Codec.Name, packet.Payload, packet.Timestamp, true);
        if (_config!.AudioLevelExtensionId > 0 && packet.TryGetExtension(_config.AudioLevelExtensionId, out var ext)
            && RtpHeaderExtensions.TryReadAudioLevel(ext, out _, out byte dbov))
        {
            AudioLevel = Math.Pow(10, -dbov / 20.0);
        }

        FramesReceived++;
        if (!_owner.Track.WantsDecodedFrames && !_owner.DecodeAlways)
        {
            return;
        }

        if (!_audioDecoders.TryGetValue(codec.PayloadType, out var decoder))
        {
            if (codec.Codec.AudioFactory is not { } factory)
            {
                return;
            }

            int channels = codec.Codec.Name.Equals("opus", StringComparison.OrdinalIgnoreCase) ? 2 : 1;
            decoder = factory.CreateDecoder(channels);
            _audioDecoders[codec.PayloadType] = decoder;
        }

        int seq = packet.SequenceNumber;
        int gap = _lastAudioSeq < 0 ? 1 : (ushort)(seq - _lastAudioSeq);
        if (gap == 0 || gap > 0x8000)
        {
            return; // duplicate or late: already concealed
        }

        _lastAudioSeq = seq;
        int frameSamples = -1;
        for (int lost = gap - 1; lost > 0 && lost <= 5; lost--)
        {
            // RFC 6716 / Opus: rebuild the packet just before this one from its in-band FEC; conceal older losses.
            int size = frameSamples > 0 ? frameSamples : _pcm.Length / decoder.Channels / 6;
            int n = lost == 1 && decoder.SupportsFec ? decoder.DecodeFec(packet.Payload, size, _pcm) : decoder.Conceal(size, _pcm);
            if (n > 0)
            {
                ConcealedSamples += n;
                Deliver(decoder, n, packet.Timestamp);
            }
        }

        int samples = decoder.Decode(packet.Payload, _pcm);
        if (samples <= 0)
        {
            Dropped("an undecodable {0} payload on mid {1}", codec.Codec.Name, _config.Mid);
            return;
        }

        FramesDecoded++;
        Deliver(decoder, samples, packet.Timestamp);
    }

    private void Deliver(IAudioDecoder decoder, int samples, uint rtpTimestamp)
    {
        var pcm = _pcm.AsSpan(0, samples * decoder.Channels);
        double sum = 0;
        foreach (var s in pcm)
        {
            sum += (double)s * s;
        }

        double level = Math.Sqrt(sum / Math.Max(1, pcm.Length)) / 32768.0;
        double duration = (double)samples / decoder.SampleRate;
        AudioLevel = level;
        TotalAudioEnergy += level * level * duration; // W3C: sum of (level^2 x duration)
        TotalSamplesDuration += duration;
        TotalSamplesReceived += samples;
        // One frame object per stream, refilled each time: handlers see it only during the call (readers get copies).
        var timestamp = TimeSpan.FromTicks(rtpTimestamp * TimeSpan.TicksPerSecond / Math.Max(1, _currentCodec?.ClockRate ?? decoder.SampleRate));
        var frame = _audioFrame is null ? (_audioFrame = AudioFrame.Create(decoder.SampleRate, decoder.Channels, samples, timestamp))
            : _audioFrame.Reuse(decoder.SampleRate, decoder.Channels, samples, timestamp);
        pcm.CopyTo(frame.Samples);
        _owner.Track.DeliverAudio(frame, _logger);
    }

    /// <summary>An app's keyframe request: sent as PLI on the next tick.</summary>
    public void RequestKeyFrame() => _keyFrameRequestPending = true;

    public void OnSenderReport(Rtp.NtpTime ntp, TimeSpan now) => Statistics?.OnSenderReport(ntp, now);

    public void OnBye()
    {
        _logger.LogDebug("Mid {Mid}: the remote sent RTCP BYE for SSRC {Ssrc}", _config?.Mid, _remoteSsrc);
        _owner.Track.SetMuted(true);
    }

    /// <summary>The 20 ms tick, on the transport's timer with its receive lock held.</summary>
    public void OnTick(TimeSpan now)
    {
        if (_config is null || _remoteSsrc is not { } mediaSsrc)
        {
            return;
        }

        {
            if (_packetsSinceFrame && _assembler is not null && now - _lastPacketTime > StallTimeout)
            {
                // Nothing completed for a while: give up on the hole so later frames can come out.
                _assembler.SkipMissing();
            }

            if (_nack is not null)
            {
                int count = _nack.GetNacks(now, RoundTripTime, _nacks);
                if (count > 0)
                {
                    NackSent++; // W3C nackCount counts NACK packets
                    RtcpReports.SendNack(_transport, _localSsrc(), mediaSsrc, _nacks.AsSpan(0, count));
                }

                if (_nack.KeyFrameRequestNeeded)
                {
                    _nack.ClearKeyFrameRequest();
                    _keyFrameRequestPending = true;
                }
            }

            if (Kind == MediaKind.Video && (Volatile.Read(ref _keyFrameRequestPending) || (_waitingForKeyFrame && FramesDecoded == 0 && _packetsSinceFrame)))
            {
                if (_config.Pli && (_lastKeyFrameRequest is not { } last || now - last >= KeyFrameRequestInterval))
                {
                    _lastKeyFrameRequest = now;
                    _keyFrameRequestPending = false;
                    PliSent++;
                    RtcpReports.SendPli(_transport, _localSsrc(), mediaSsrc);
                }
            }
        }
    }

    // Under the transport's receive lock: the receive thread may be inside a native decoder right now, and
    // freeing it under that call crashes the process (seen closing a call under packet loss).
    public void Dispose()
    {
        lock (_transport.ReceiveLock)
        {
            _disposed = true;
            foreach (var d in _videoDecoders.Values)
            {
                d.Dispose();
            }

            foreach (var d in _audioDecoders.Values)
            {
                d.Dispose();
            }

            _videoDecoders.Clear();
            _audioDecoders.Clear();
            _audioFrame?.Dispose();
            _audioFrame = null;
        }
    }

    private bool _disposed;

    private void Dropped<T1, T2>(string reason, T1 a, T2 b) => _transport.Drop(reason, a, b);
}
