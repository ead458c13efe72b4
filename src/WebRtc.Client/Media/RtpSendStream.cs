using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using WebRtc.Client.Codecs;
using WebRtc.Client.Media.Stages;
using WebRtc.Client.Packetization;
using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Media;

/// <summary>What one negotiation settled for a sender: the codec to send, its payload types and the header extension ids.</summary>
/// <param name="Codec">The first codec of the remote's answer (or of our answer) that we can encode.</param>
/// <param name="PayloadType">Its payload type in the negotiated description.</param>
/// <param name="ClockRate">Its RTP clock rate.</param>
/// <param name="Channels">Its channel count (audio).</param>
/// <param name="Fmtp">Its fmtp, for packetization-mode and the like.</param>
/// <param name="RtxPayloadType">The RTX payload type paired with it, or null (no retransmission then).</param>
/// <param name="MidExtensionId">The sdes:mid extension id, or 0.</param>
/// <param name="AbsSendTimeExtensionId">The abs-send-time extension id, or 0.</param>
/// <param name="AudioLevelExtensionId">The ssrc-audio-level extension id, or 0.</param>
/// <param name="Nack">Whether the remote NACKs (we keep a history for it).</param>
internal sealed record SendConfig(CodecInfo Codec, int PayloadType, int ClockRate, int Channels, string? Fmtp, int? RtxPayloadType,
    int MidExtensionId, int AbsSendTimeExtensionId, int AudioLevelExtensionId, bool Nack);

/// <summary>
/// The send half of one transceiver: track frames → encoder → packetizer → header extensions →
/// send history → SRTP (in <see cref="RtpMediaTransport"/>). Answers PLI/FIR with a keyframe and
/// NACK with RTX. One SSRC (+ the RTX SSRC) for the life of the sender.
/// </summary>
internal sealed class RtpSendStream : ITrackSink, IDisposable
{
    private const int BufferSize = 1500;
    private const int MaxPayloads = 4096;

    private readonly object _lock = new();
    private readonly ILogger _logger;
    private readonly RtpMediaTransport _transport;
    private readonly byte[] _packet = new byte[BufferSize];
    private readonly byte[] _rtxPacket = new byte[BufferSize];
    private readonly byte[] _payloads;
    private readonly int[] _payloadLengths = new int[MaxPayloads];
    private readonly byte[] _audioPayload = new byte[BufferSize];
    private readonly ArrayBufferWriter<byte> _bitstream = new(64 * 1024);
    private readonly RtpSendHistory _history = new();
    private readonly int _mtu;
    private SendConfig? _config;
    private IRtpPacketizer? _packetizer;
    private IVideoEncoder? _videoEncoder;
    private IAudioEncoder? _audioEncoder;
    private AudioConverter? _audioConverter;
    private readonly Action<ReadOnlyMemory<short>> _onAudioFrame;
    private VideoFrame? _black;
    private VideoFrame? _scaled;
    private int _encoderWidth;
    private int _encoderHeight;
    private ushort _sequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
    private ushort _rtxSequence = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
    private readonly uint _timestampBase = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    private uint _lastRtpTimestamp;
    private bool _sentAny;
    private MediaStreamTrack? _timingTrack;
    private TimeSpan _firstCapture;
    private uint _trackTimestampBase;
    private long _audioSamples;
    private bool _keyFrameRequested;
    private bool _warnedCodec;
    private TimeSpan? _rtt;
    private TimeSpan? _smoothedRtt;
    private long _rttSamples;
    private TimeSpan? _lastEncodedCapture;

    public RtpSendStream(MediaKind kind, string mid, uint ssrc, uint rtxSsrc, RtpMediaTransport transport, int mtu, ILogger logger)
    {
        Kind = kind;
        Mid = mid;
        Ssrc = ssrc;
        RtxSsrc = rtxSsrc;
        _transport = transport;
        _mtu = mtu;
        _logger = logger;
        _payloads = new byte[kind == MediaKind.Video ? 4 << 20 : BufferSize];
        _onAudioFrame = EncodeAudioFrame;
        Statistics = new RtpSendStatistics(ssrc, kind == MediaKind.Audio ? 48000 : 90000);
    }

    public MediaKind Kind { get; }

    /// <summary>The mid written in the sdes:mid extension.</summary>
    public string Mid { get; set; }

    public uint Ssrc { get; }

    public uint RtxSsrc { get; }

    public RtpSendStatistics Statistics { get; private set; }

    public SendConfig? Config => _config;

    /// <summary>Frames encoded, keyframes among them, PLI/FIR/NACK received, for stats.</summary>
    public long FramesEncoded;
    public long KeyFramesEncoded;
    public long PliReceived;
    public long FirReceived;
    public long NackReceived;
    public long RetransmittedPackets;
    public long RetransmittedBytes;
    public int FrameWidth;
    public int FrameHeight;
    public double TotalEncodeTime;
    public bool Active = true;

    /// <summary>When not null, the maximum bitrate the app set (RTCRtpEncodingParameters.maxBitrate).</summary>
    public int? MaxBitrate;

    public double? MaxFramerate;

    public double ScaleResolutionDownBy = 1;

    public TimeSpan? RoundTripTime => _rtt;

    public void Configure(SendConfig? config)
    {
        lock (_lock)
        {
            if (config == _config)
            {
                return;
            }

            if (config is not null && config.ClockRate != Statistics.ClockRate)
            {
                Statistics = new RtpSendStatistics(Ssrc, config.ClockRate);
            }

            bool codecChanged = _config is null || config is null || !ReferenceEquals(_config.Codec, config.Codec) || _config.Fmtp != config.Fmtp;
            _config = config;
            if (codecChanged)
            {
                _videoEncoder?.Dispose();
                _videoEncoder = null;
                _audioEncoder?.Dispose();
                _audioEncoder = null;
                _audioConverter = null;
                _packetizer = config is null ? null : CreatePacketizer(config);
                _warnedCodec = false;
            }
        }
    }

    private static IRtpPacketizer CreatePacketizer(SendConfig config) => config.Codec.Name.ToUpperInvariant() switch
    {
        "VP8" => new Vp8Packetizer(RandomNumberGenerator.GetInt32(0x8000)),
        "VP9" => new Vp9Packetizer(RandomNumberGenerator.GetInt32(0x8000)),
        "H264" => new H264Packetizer(config.Fmtp?.Contains("packetization-mode=1", StringComparison.Ordinal) == true ? 1 : 0),
        _ => new AudioPacketizer(),
    };

    public void OnVideoFrame(MediaStreamTrack track, VideoFrame frame)
    {
        try
        {
            EncodeVideo(track, frame);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            EncodeFailed(ex);
        }
    }

    private readonly Net.LogRateLimiter _failureLog = new(TimeSpan.FromSeconds(10));

    // An encoder that throws (a native library missing, a size it refuses) must not stop the source's loop.
    private void EncodeFailed(Exception ex)
    {
        if (_failureLog.TryAcquire(out long suppressed))
        {
            _logger.LogWarning(ex, "Mid {Mid}: encoding a frame failed; the frame is dropped ({Suppressed} more failures since the last report)", Mid, suppressed);
        }
    }

    private void EncodeVideo(MediaStreamTrack track, VideoFrame frame)
    {
        lock (_lock)
        {
            if (_config is not { } config || !Active || !_transport.IsStarted || config.Codec.VideoFactory is not { } factory)
            {
                return;
            }

            var input = frame;
            if (!track.Enabled)
            {
                input = BlackFrame(frame.Width, frame.Height);
            }

            int width = frame.Width;
            int height = frame.Height;
            if (ScaleResolutionDownBy > 1)
            {
                // W3C scaleResolutionDownBy: even sizes (I420 chroma), at least 16x16 as libwebrtc keeps.
                width = Math.Max(16, (int)(frame.Width / ScaleResolutionDownBy) & ~1);
                height = Math.Max(16, (int)(frame.Height / ScaleResolutionDownBy) & ~1);
                if (width < frame.Width || height < frame.Height)
                {
                    if (_scaled is null || _scaled.Width != width || _scaled.Height != height)
                    {
                        _scaled?.Dispose();
                        _scaled = VideoFrame.Create(width, height);
                    }

                    I420Scaler.Scale(input, _scaled);
                    input = _scaled;
                }
                else
                {
                    (width, height) = (frame.Width, frame.Height);
                }
            }

            if (_videoEncoder is null || width != _encoderWidth || height != _encoderHeight)
            {
                _videoEncoder?.Dispose();
                _videoEncoder = factory.CreateEncoder(new VideoEncoderSettings
                {
                    Width = width,
                    Height = height,
                    FrameRate = MaxFramerate ?? 30,
                    Bitrate = Math.Min(MaxBitrate ?? 1_500_000, DefaultBitrate(width, height)),
                });
                _encoderWidth = width;
                _encoderHeight = height;
                _keyFrameRequested = false;
            }

            // W3C maxFramerate: drop frames that come sooner than the cap allows (10% slack for capture jitter).
            if (MaxFramerate is > 0 and var fps && _lastEncodedCapture is { } last && !_keyFrameRequested
                && frame.Timestamp - last < TimeSpan.FromSeconds(0.9 / fps) && frame.Timestamp >= last)
            {
                return;
            }

            _lastEncodedCapture = frame.Timestamp;
            if (_keyFrameRequested)
            {
                _videoEncoder.RequestKeyFrame();
                _keyFrameRequested = false;
            }

            _bitstream.Clear();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            if (!_videoEncoder.EncodeFrame(input, _bitstream, out var info))
            {
                return;
            }

            TotalEncodeTime += System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
            FramesEncoded++;
            if (info.IsKeyFrame)
            {
                KeyFramesEncoded++;
            }

            FrameWidth = width;
            FrameHeight = height;
            SendFrame(track, _bitstream.WrittenSpan, frame.Timestamp, config, 0);
        }
    }

    private static int DefaultBitrate(int width, int height) => Math.Clamp(width * height * 30 / 10, 150_000, 2_500_000);

    public void OnAudioFrame(MediaStreamTrack track, AudioFrame frame)
    {
        try
        {
            EncodeAudio(track, frame);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            EncodeFailed(ex);
        }
    }

    private void EncodeAudio(MediaStreamTrack track, AudioFrame frame)
    {
        lock (_lock)
        {
            if (_config is not { } config || !Active || !_transport.IsStarted || config.Codec.AudioFactory is not { } factory)
            {
                return;
            }

            if (_audioEncoder is null)
            {
                // Opus carries the source's channels (its rtpmap always says 2); the G.7xx codecs are mono.
                int channels = config.Codec.Name.Equals("opus", StringComparison.OrdinalIgnoreCase) ? Math.Min(frame.Channels, 2) : 1;
                _audioEncoder = factory.CreateEncoder(new AudioEncoderSettings
                {
                    Channels = channels,
                    Fec = config.Fmtp?.Contains("useinbandfec=1", StringComparison.Ordinal) == true,
                });
                _audioConverter = new AudioConverter(_audioEncoder.SampleRate, _audioEncoder.Channels, _audioEncoder.FrameSize);
            }

            _timingTrack = track;
            if (!track.Enabled)
            {
                frame.Samples.Clear();
            }

            _audioConverter!.Push(frame.Samples, frame.SampleRate, frame.Channels, _onAudioFrame);
        }
    }

    // Under _lock: one full encoder frame of PCM.
    private void EncodeAudioFrame(ReadOnlyMemory<short> pcm)
    {
        var config = _config!;
        var encoder = _audioEncoder!;
        int length = encoder.Encode(pcm.Span, _audioPayload);
        FramesEncoded++;
        // RTP time advances by the samples at the codec's clock (G.722: 16 kHz audio, 8 kHz clock, RFC 3551 §4.5.2).
        uint timestamp = _timestampBase + (uint)(_audioSamples * config.ClockRate / encoder.SampleRate);
        _audioSamples += encoder.FrameSize;
        AudioLevel = ComputeLevel(pcm.Span);
        SendPackets(_audioPayload.AsSpan(0, length), [length], timestamp, config, AudioLevel);
    }

    /// <summary>The last frame's level as RFC 6464 -dBov (0 loudest, 127 silence).</summary>
    public byte AudioLevel;

    private static byte ComputeLevel(ReadOnlySpan<short> pcm)
    {
        double sum = 0;
        foreach (var s in pcm)
        {
            sum += (double)s * s;
        }

        double rms = Math.Sqrt(sum / Math.Max(1, pcm.Length)) / 32768.0;
        if (rms <= 0)
        {
            return 127;
        }

        return (byte)Math.Clamp(-20 * Math.Log10(rms), 0, 127);
    }

    public void OnEncodedFrame(MediaStreamTrack track, in EncodedMediaFrame frame)
    {
        lock (_lock)
        {
            if (_config is not { } config || !Active || !_transport.IsStarted)
            {
                return;
            }

            if (!frame.CodecName.Equals(config.Codec.Name, StringComparison.OrdinalIgnoreCase))
            {
                if (!_warnedCodec)
                {
                    _warnedCodec = true;
                    _logger.LogWarning("Track {Track} gives {Given} frames but mid {Mid} negotiated {Codec}; its frames are not sent", track.Id, frame.CodecName, Mid, config.Codec.Name);
                }

                return;
            }

            FramesEncoded++;
            if (frame.IsKeyFrame)
            {
                KeyFramesEncoded++;
            }

            if (Kind == MediaKind.Audio)
            {
                uint ts = RtpTimestamp(track, frame.Timestamp, config.ClockRate);
                SendPackets(frame.Data, [frame.Data.Length], ts, config, 127);
                return;
            }

            SendFrame(track, frame.Data, frame.Timestamp, config, 0);
        }
    }

    // The RTP timestamp of a capture time; a new track continues where the last one left off (ReplaceTrack).
    private uint RtpTimestamp(MediaStreamTrack track, TimeSpan capture, int clockRate)
    {
        if (!ReferenceEquals(track, _timingTrack))
        {
            _timingTrack = track;
            _firstCapture = capture;
            _trackTimestampBase = _sentAny ? _lastRtpTimestamp + (uint)(clockRate / 30) : _timestampBase;
        }

        return _trackTimestampBase + (uint)((capture - _firstCapture).Ticks * clockRate / TimeSpan.TicksPerSecond);
    }

    // Under _lock.
    private void SendFrame(MediaStreamTrack track, ReadOnlySpan<byte> bitstream, TimeSpan capture, SendConfig config, byte level)
    {
        uint timestamp = RtpTimestamp(track, capture, config.ClockRate);
        int maxPayload = _mtu - RtpPacket.FixedHeaderLength - ExtensionSpace(config) - 16 /* SRTP tag */ - (config.RtxPayloadType is null ? 0 : 2);
        if (_packetizer is null || !_packetizer.TryPacketize(bitstream, maxPayload, _payloads, _payloadLengths, out int count))
        {
            _logger.LogDebug("A {Size}-byte {Codec} frame could not be packetized into {Max}-byte payloads; dropped", bitstream.Length, config.Codec.Name, maxPayload);
            return;
        }

        SendPackets(_payloads, _payloadLengths.AsSpan(0, count), timestamp, config, level);
    }

    private int ExtensionSpace(SendConfig config) =>
        4 + (config.MidExtensionId > 0 ? 1 + Mid.Length : 0) + (config.AbsSendTimeExtensionId > 0 ? 4 : 0) + (config.AudioLevelExtensionId > 0 ? 2 : 0) + 3;

    private void SendPackets(ReadOnlySpan<byte> payloads, ReadOnlySpan<int> lengths, uint timestamp, SendConfig config, byte level)
    {
        var now = _transport.Now;
        int offset = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            var payload = payloads.Slice(offset, lengths[i]);
            offset += lengths[i];
            var writer = new RtpPacketWriter(_packet);
            var header = new RtpHeader
            {
                // Video: the marker ends a frame; audio: the first packet of a talkspurt (RFC 3551 §4.1), here the first sent.
                Marker = Kind == MediaKind.Video ? i == lengths.Length - 1 : !_sentAny,
                PayloadType = (byte)config.PayloadType,
                SequenceNumber = _sequence++,
                Timestamp = timestamp,
                Ssrc = Ssrc,
            };
            if (!writer.TryWriteHeader(header) || !WriteExtensions(ref writer, config, level, now) || !writer.TryWritePayload(payload))
            {
                _logger.LogDebug("RTP packet for mid {Mid} did not fit {Size} bytes; dropped", Mid, BufferSize);
                continue;
            }

            int length = writer.Length;
            if (config.Nack)
            {
                _history.Store(_packet.AsSpan(0, length), now);
            }

            Statistics.OnPacketSent(timestamp, now, payload.Length, false);
            _lastRtpTimestamp = timestamp;
            _sentAny = true;
            _transport.SendRtp(_packet, length);
        }
    }

    private bool WriteExtensions(ref RtpPacketWriter writer, SendConfig config, byte level, TimeSpan now)
    {
        if (config.MidExtensionId == 0 && config.AbsSendTimeExtensionId == 0 && config.AudioLevelExtensionId == 0)
        {
            return true;
        }

        if (!writer.TryBeginExtensions(RtpExtensionForm.OneByte))
        {
            return false;
        }

        if (config.MidExtensionId > 0)
        {
            Span<byte> mid = stackalloc byte[16];
            int n = System.Text.Encoding.ASCII.GetBytes(Mid, mid);
            if (!writer.TryAddExtension(config.MidExtensionId, mid[..n]))
            {
                return false;
            }
        }

        if (config.AbsSendTimeExtensionId > 0 && !writer.TryAddAbsSendTime(config.AbsSendTimeExtensionId, RtpHeaderExtensions.AbsSendTimeFromNtp(NtpTime.FromDateTime(_transport.TimeProvider.GetUtcNow().UtcDateTime))))
        {
            return false;
        }

        if (config.AudioLevelExtensionId > 0 && Kind == MediaKind.Audio && !writer.TryAddAudioLevel(config.AudioLevelExtensionId, level < 127, level))
        {
            return false;
        }

        return true;
    }

    /// <summary>PLI or FIR from the remote: the next frame is a keyframe (RFC 4585 §6.3.1, RFC 5104 §4.3.1).</summary>
    public void OnKeyFrameRequest(string kind)
    {
        if (kind == "PLI")
        {
            Interlocked.Increment(ref PliReceived);
        }
        else
        {
            Interlocked.Increment(ref FirReceived);
        }

        lock (_lock)
        {
            _keyFrameRequested = true;
            _videoEncoder?.RequestKeyFrame();
        }

        (_timingTrack?.Source ?? _source)?.RequestKeyFrame();
    }

    private MediaTrackSource? _source;

    internal void SetSource(MediaTrackSource? source) => _source = source;

    /// <summary>Generic NACK (RFC 4585 §6.2.1): resend the packet over RTX (RFC 4588) when it is still in the history.</summary>
    public void OnNack(ushort sequence)
    {
        Interlocked.Increment(ref NackReceived);
        lock (_lock)
        {
            if (_config is not { RtxPayloadType: { } rtxPt } || !_history.TryGetForRetransmission(sequence, _transport.Now, (_rtt ?? TimeSpan.FromMilliseconds(100)) + TimeSpan.FromMilliseconds(5), out var original))
            {
                return;
            }

            if (!RtxPacket.TryWrap(original, (byte)rtxPt, RtxSsrc, _rtxSequence, _rtxPacket, out int written))
            {
                return;
            }

            _rtxSequence++;
            RetransmittedPackets++;
            RetransmittedBytes += written;
            _transport.SendRtp(_rtxPacket, written);
        }
    }

    public void OnReportBlock(in RtcpReportBlock block, TimeSpan now)
    {
        Statistics.OnReportBlock(block, NtpTime.FromDateTime(_transport.TimeProvider.GetUtcNow().UtcDateTime));
        if (Statistics.RoundTripTime is { } rtt && Statistics.RoundTripTimeMeasurements != _rttSamples)
        {
            // A smoothed RTT (RFC 6298's 1/8 gain) paces resends: one late report under load must not make the
            // history refuse the remote's repeated NACKs for a third of a second.
            _rttSamples = Statistics.RoundTripTimeMeasurements;
            _smoothedRtt = _smoothedRtt is { } s ? s + ((rtt - s) / 8) : rtt;
            _rtt = _smoothedRtt;
        }
    }

    /// <summary>Applies changed maxBitrate/maxFramerate to a running encoder.</summary>
    public void ApplyEncoderLimits()
    {
        lock (_lock)
        {
            if (_videoEncoder is { } encoder)
            {
                encoder.TargetBitrate = Math.Min(MaxBitrate ?? 1_500_000, DefaultBitrate(_encoderWidth, _encoderHeight));
                if (MaxFramerate is { } fps && fps > 0)
                {
                    encoder.FrameRate = fps;
                }
            }
        }
    }

    public bool HasSent => _sentAny;

    public bool TryWriteSenderReport(Span<byte> destination, TimeSpan now, NtpTime ntp, ReadOnlySpan<RtcpReportBlock> blocks, out int written)
    {
        lock (_lock)
        {
            return Statistics.TryWriteSenderReport(destination, now, ntp, blocks, out written);
        }
    }

    private VideoFrame BlackFrame(int width, int height)
    {
        if (_black is null || _black.Width != width || _black.Height != height)
        {
            _black?.Dispose();
            _black = VideoFrame.Create(width, height);
            _black.Y.Fill(16);
            _black.U.Fill(128);
            _black.V.Fill(128);
        }

        return _black;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            // Frames that still arrive after this must not make a new native encoder.
            _config = null;
            _packetizer = null;
            _videoEncoder?.Dispose();
            _audioEncoder?.Dispose();
            _black?.Dispose();
            _scaled?.Dispose();
            _videoEncoder = null;
            _audioEncoder = null;
        }
    }
}
