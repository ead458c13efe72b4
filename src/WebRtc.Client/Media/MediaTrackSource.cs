namespace WebRtc.Client.Media;

/// <summary>What a sender attaches to a local track's source to get its frames.</summary>
internal interface ITrackSink
{
    void OnVideoFrame(MediaStreamTrack track, VideoFrame frame);

    void OnAudioFrame(MediaStreamTrack track, AudioFrame frame);

    void OnEncodedFrame(MediaStreamTrack track, in EncodedMediaFrame frame);
}

/// <summary>One already encoded frame from an <see cref="EncodedVideoSource"/> or <see cref="EncodedAudioSource"/>.</summary>
/// <param name="CodecName">The codec's SDP name (<c>VP8</c>, <c>opus</c> ...).</param>
/// <param name="Data">The bitstream: a VP8/VP9 frame, an H.264 Annex-B access unit, or one audio payload.</param>
/// <param name="Timestamp">Capture or presentation time; RTP timestamps follow it.</param>
/// <param name="IsKeyFrame">Whether a video frame decodes on its own.</param>
internal readonly ref struct EncodedMediaFrame(string CodecName, ReadOnlySpan<byte> Data, TimeSpan Timestamp, bool IsKeyFrame)
{
    public string CodecName { get; } = CodecName;

    public ReadOnlySpan<byte> Data { get; } = Data;

    public TimeSpan Timestamp { get; } = Timestamp;

    public bool IsKeyFrame { get; } = IsKeyFrame;
}

/// <summary>
/// Where a local track's media comes from. Senders attach to it while they send the track; timed
/// sources (<see cref="VideoSource"/>, <see cref="AudioSource"/>) produce frames only while someone is attached.
/// </summary>
public abstract class MediaTrackSource
{
    private readonly object _sinkLock = new();
    private (MediaStreamTrack Track, ITrackSink Sink)[] _sinks = [];

    private protected MediaTrackSource(MediaKind kind) => Kind = kind;

    /// <summary>Audio or video.</summary>
    public MediaKind Kind { get; }

    /// <summary>Raised when a receiver asked for a keyframe (RTCP PLI or FIR); encoded sources should send one soon.</summary>
    public event EventHandler? KeyFrameRequested;

    /// <summary>Whether a sender is attached.</summary>
    public bool IsAttached => Volatile.Read(ref _sinks).Length > 0;

    internal void AddSink(MediaStreamTrack track, ITrackSink sink)
    {
        bool first;
        lock (_sinkLock)
        {
            first = _sinks.Length == 0;
            _sinks = [.. _sinks, (track, sink)];
        }

        if (first)
        {
            OnAttached();
        }
    }

    internal void RemoveSink(ITrackSink sink) => RemoveSinks(s => s.Sink == sink);

    internal void TrackEnded(MediaStreamTrack track) => RemoveSinks(s => s.Track == track);

    private void RemoveSinks(Func<(MediaStreamTrack Track, ITrackSink Sink), bool> match)
    {
        bool last;
        lock (_sinkLock)
        {
            int before = _sinks.Length;
            _sinks = _sinks.Where(s => !match(s)).ToArray();
            last = before > 0 && _sinks.Length == 0;
        }

        if (last)
        {
            OnDetached();
        }
    }

    internal void RequestKeyFrame()
    {
        try
        {
            KeyFrameRequested?.Invoke(this, EventArgs.Empty);
        }
        catch (Exception)
        {
            // A user handler's failure must not reach the RTCP receive path.
        }
    }

    /// <summary>Called when the first sender attaches.</summary>
    private protected virtual void OnAttached()
    {
    }

    /// <summary>Called when the last sender detaches.</summary>
    private protected virtual void OnDetached()
    {
    }

    private protected void DeliverVideo(VideoFrame frame)
    {
        foreach (var (track, sink) in Volatile.Read(ref _sinks))
        {
            if (track.ReadyState == MediaStreamTrackState.Live)
            {
                sink.OnVideoFrame(track, frame);
            }
        }
    }

    private protected void DeliverAudio(AudioFrame frame)
    {
        foreach (var (track, sink) in Volatile.Read(ref _sinks))
        {
            if (track.ReadyState == MediaStreamTrackState.Live)
            {
                sink.OnAudioFrame(track, frame);
            }
        }
    }

    private protected void DeliverEncoded(in EncodedMediaFrame frame)
    {
        foreach (var (track, sink) in Volatile.Read(ref _sinks))
        {
            if (track.ReadyState == MediaStreamTrackState.Live)
            {
                sink.OnEncodedFrame(track, frame);
            }
        }
    }
}

/// <summary>
/// A video source the application feeds: a bot, a game, a capture library pushes raw I420 frames with
/// their capture timestamps, and every sender of its tracks encodes them. <see cref="Push"/> encodes on
/// the caller's thread, which paces the producer.
/// </summary>
public sealed class VideoFrameSource : MediaTrackSource
{
    /// <summary>Creates a source.</summary>
    public VideoFrameSource()
        : base(MediaKind.Video)
    {
    }

    /// <summary>Creates a track on this source.</summary>
    /// <param name="label">The track label.</param>
    public MediaStreamTrack CreateTrack(string label = "video") => new(MediaKind.Video, label, this);

    /// <summary>Sends one frame to every attached sender. The caller keeps ownership of the frame.</summary>
    /// <param name="frame">The frame; its timestamp is the capture time.</param>
    public void Push(VideoFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        DeliverVideo(frame);
    }
}

/// <summary>An audio source the application feeds with 16-bit PCM frames of any rate and channel count (see <see cref="VideoFrameSource"/>).</summary>
public sealed class AudioFrameSource : MediaTrackSource
{
    /// <summary>Creates a source.</summary>
    public AudioFrameSource()
        : base(MediaKind.Audio)
    {
    }

    /// <summary>Creates a track on this source.</summary>
    /// <param name="label">The track label.</param>
    public MediaStreamTrack CreateTrack(string label = "audio") => new(MediaKind.Audio, label, this);

    /// <summary>Sends one frame to every attached sender (resampled and re-framed for the codec). The caller keeps ownership.</summary>
    /// <param name="frame">The frame; its timestamp is the capture time.</param>
    public void Push(AudioFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        DeliverAudio(frame);
    }
}

/// <summary>
/// Video that is already encoded (read from an IVF file, forwarded from another call, from a hardware
/// encoder): the frames go out as they are, without re-encoding. A sender sends them only when the
/// negotiated codec is <see cref="CodecName"/>; subscribe to <see cref="MediaTrackSource.KeyFrameRequested"/>
/// to answer PLI/FIR.
/// </summary>
public sealed class EncodedVideoSource : MediaTrackSource
{
    /// <summary>Creates a source of frames in one codec.</summary>
    /// <param name="codecName">The SDP name: <c>VP8</c>, <c>VP9</c> or <c>H264</c> (Annex-B access units).</param>
    public EncodedVideoSource(string codecName)
        : base(MediaKind.Video)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(codecName);
        CodecName = codecName;
    }

    /// <summary>The codec of the frames.</summary>
    public string CodecName { get; }

    /// <summary>Creates a track on this source.</summary>
    /// <param name="label">The track label.</param>
    public MediaStreamTrack CreateTrack(string label = "video") => new(MediaKind.Video, label, this);

    /// <summary>Sends one encoded frame to every attached sender.</summary>
    /// <param name="frame">The frame's bitstream.</param>
    /// <param name="timestamp">Its presentation time.</param>
    /// <param name="isKeyFrame">Whether it decodes on its own.</param>
    public void Push(ReadOnlySpan<byte> frame, TimeSpan timestamp, bool isKeyFrame)
    {
        DeliverEncoded(new EncodedMediaFrame(CodecName, frame, timestamp, isKeyFrame));
    }
}

/// <summary>Audio that is already encoded (e.g. Opus packets read from an Ogg file), sent without re-encoding (see <see cref="EncodedVideoSource"/>).</summary>
public sealed class EncodedAudioSource : MediaTrackSource
{
    /// <summary>Creates a source of payloads in one codec.</summary>
    /// <param name="codecName">The SDP name: <c>opus</c>, <c>PCMU</c>, <c>PCMA</c>, <c>G722</c>.</param>
    public EncodedAudioSource(string codecName)
        : base(MediaKind.Audio)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(codecName);
        CodecName = codecName;
    }

    /// <summary>The codec of the payloads.</summary>
    public string CodecName { get; }

    /// <summary>Creates a track on this source.</summary>
    /// <param name="label">The track label.</param>
    public MediaStreamTrack CreateTrack(string label = "audio") => new(MediaKind.Audio, label, this);

    /// <summary>Sends one payload to every attached sender; its RTP timestamp comes from <paramref name="timestamp"/>.</summary>
    /// <param name="payload">One RTP payload (e.g. one Opus packet).</param>
    /// <param name="timestamp">Its presentation time.</param>
    public void Push(ReadOnlySpan<byte> payload, TimeSpan timestamp)
    {
        DeliverEncoded(new EncodedMediaFrame(CodecName, payload, timestamp, true));
    }
}

/// <summary>Runs a timed source's frame loop while a sender is attached.</summary>
internal sealed class SourcePump
{
    private readonly object _lock = new();
    private CancellationTokenSource? _cts;

    public void Start(Func<CancellationToken, Task> loop)
    {
        lock (_lock)
        {
            if (_cts is not null)
            {
                return;
            }

            var cts = new CancellationTokenSource();
            _cts = cts;
            _ = Task.Run(async () =>
            {
                try
                {
                    await loop(cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cts.IsCancellationRequested)
                {
                }
            });
        }
    }

    public void Stop()
    {
        CancellationTokenSource? cts;
        lock (_lock)
        {
            cts = _cts;
            _cts = null;
        }

        cts?.Cancel();
    }
}
