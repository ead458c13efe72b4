using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace WebRtc.Client.Media;

/// <summary>Whether a track carries audio or video (W3C <c>MediaStreamTrack.kind</c>).</summary>
public enum MediaKind
{
    /// <summary>Audio.</summary>
    Audio,

    /// <summary>Video.</summary>
    Video,
}

/// <summary>The W3C <c>MediaStreamTrackState</c>.</summary>
public enum MediaStreamTrackState
{
    /// <summary>The track delivers media (or can).</summary>
    Live,

    /// <summary>Stopped for good: by <see cref="MediaStreamTrack.Stop"/>, by the remote side, or because its transceiver stopped.</summary>
    Ended,
}

/// <summary>Receives one decoded video frame. The frame is pooled and valid only during the call: clone it to keep it.</summary>
/// <param name="track">The track.</param>
/// <param name="frame">The frame.</param>
public delegate void VideoFrameHandler(MediaStreamTrack track, VideoFrame frame);

/// <summary>Receives one decoded audio frame. The frame is pooled and valid only during the call: copy its samples to keep them.</summary>
/// <param name="track">The track.</param>
/// <param name="frame">The frame.</param>
public delegate void AudioFrameHandler(MediaStreamTrack track, AudioFrame frame);

/// <summary>
/// One audio or video track (W3C <c>MediaStreamTrack</c>). A local track comes from a source
/// (<see cref="VideoSource.CreateTrack"/>, <see cref="AudioSource.CreateTrack"/>, an app-fed
/// <see cref="VideoFrameSource"/>/<see cref="AudioFrameSource"/>, or an already encoded
/// <see cref="EncodedVideoSource"/>/<see cref="EncodedAudioSource"/>) and is sent with
/// <c>RTCPeerConnection.AddTrack</c>. A remote track comes with the peer connection's <c>Track</c>
/// event and gives decoded frames through <see cref="VideoFrameReceived"/>/<see cref="AudioFrameReceived"/>
/// or <see cref="ReadVideoFramesAsync"/>/<see cref="ReadAudioFramesAsync"/>; the undecoded frames and the raw
/// RTP packets are on its <see cref="RTCRtpReceiver"/>.
/// </summary>
public sealed class MediaStreamTrack
{
    private readonly object _lock = new();
    private volatile bool _enabled = true;
    private int _state; // 0 live, 1 ended
    private int _muted;
    private VideoFrameHandler? _videoHandlers;
    private AudioFrameHandler? _audioHandlers;

    internal MediaStreamTrack(MediaKind kind, string label, MediaTrackSource? source, string? id = null)
    {
        Kind = kind;
        Label = label;
        Source = source;
        Id = id ?? Guid.NewGuid().ToString();
    }

    /// <summary>A unique id (W3C: a UUID for local tracks; for a remote track, the sender's track id when its msid gave one).</summary>
    public string Id { get; }

    /// <summary>Audio or video.</summary>
    public MediaKind Kind { get; }

    /// <summary>A label for people (the source's name for local tracks; empty for remote ones).</summary>
    public string Label { get; }

    /// <summary>Whether this is a track received from the remote peer.</summary>
    public bool IsRemote => Source is null;

    /// <summary>
    /// W3C <c>enabled</c>: a disabled local track sends black frames (video) or silence (audio) so the
    /// remote keeps its stream; a disabled remote track stops delivering decoded frames.
    /// </summary>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>W3C <c>muted</c>: a remote track is muted until media arrives and after the remote side stops sending.</summary>
    public bool Muted => Volatile.Read(ref _muted) != 0;

    /// <summary>Live, or ended for good.</summary>
    public MediaStreamTrackState ReadyState => Volatile.Read(ref _state) == 0 ? MediaStreamTrackState.Live : MediaStreamTrackState.Ended;

    /// <summary>Raised once when the track ends (not when <see cref="Stop"/> ends it, as in W3C).</summary>
    public event EventHandler? Ended;

    /// <summary>Raised when the track becomes muted.</summary>
    public event EventHandler? Mute;

    /// <summary>Raised when the track becomes unmuted (for a remote track: the first media arrived).</summary>
    public event EventHandler? Unmute;

    /// <summary>
    /// Decoded video frames of a remote video track, raised on the receive thread in decode order. A
    /// handler must be quick (copy and hand off); decoding starts when the first handler is added.
    /// </summary>
    public event VideoFrameHandler? VideoFrameReceived
    {
        add { lock (_lock) { _videoHandlers += value; } }
        remove { lock (_lock) { _videoHandlers -= value; } }
    }

    /// <summary>Decoded audio frames of a remote audio track, raised on the receive thread.</summary>
    public event AudioFrameHandler? AudioFrameReceived
    {
        add { lock (_lock) { _audioHandlers += value; } }
        remove { lock (_lock) { _audioHandlers -= value; } }
    }

    internal MediaTrackSource? Source { get; }

    internal bool WantsDecodedFrames => _videoHandlers is not null || _audioHandlers is not null || _readers > 0;

    private int _readers;
    private Channel<VideoFrame>? _videoReader;
    private Channel<AudioFrame>? _audioReader;

    /// <summary>Stops the track for good (W3C <c>stop()</c>): a local track's senders send nothing more.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _state, 1) == 0)
        {
            OnEnded();
        }
    }

    /// <summary>
    /// The decoded frames of a remote video track as an async stream; each frame is a copy the caller
    /// disposes. When the reader falls behind, the oldest waiting frames are dropped (at most
    /// <paramref name="capacity"/> wait). Ends when the track ends or the token is cancelled.
    /// </summary>
    /// <param name="capacity">Frames kept for a slow reader.</param>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    public IAsyncEnumerable<VideoFrame> ReadVideoFramesAsync(int capacity = 8, CancellationToken cancellationToken = default) =>
        ReadFramesAsync(capacity, () => _videoReader, c => _videoReader = c, "video", cancellationToken);

    /// <summary>The decoded frames of a remote audio track as an async stream (see <see cref="ReadVideoFramesAsync"/>).</summary>
    /// <param name="capacity">Frames kept for a slow reader.</param>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    public IAsyncEnumerable<AudioFrame> ReadAudioFramesAsync(int capacity = 50, CancellationToken cancellationToken = default) =>
        ReadFramesAsync(capacity, () => _audioReader, c => _audioReader = c, "audio", cancellationToken);

    // One reader per kind: a bounded channel that drops (and disposes) the oldest frame for a slow reader.
    private async IAsyncEnumerable<T> ReadFramesAsync<T>(int capacity, Func<Channel<T>?> current, Action<Channel<T>?> set, string kind,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : IDisposable
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => dropped.Dispose());
        lock (_lock)
        {
            if (current() is not null)
            {
                throw new InvalidOperationException($"A {kind} frame reader is already running on this track.");
            }

            set(channel);
            _readers++;
        }

        try
        {
            await foreach (var frame in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return frame;
            }
        }
        finally
        {
            lock (_lock)
            {
                set(null);
                _readers--;
            }

            while (channel.Reader.TryRead(out var left))
            {
                left.Dispose();
            }
        }
    }

    /// <summary>The kind and id.</summary>
    public override string ToString() => $"{Kind} track {Id}";

    internal void DeliverVideo(VideoFrame frame, Microsoft.Extensions.Logging.ILogger logger)
    {
        if (!_enabled)
        {
            return;
        }

        var handlers = _videoHandlers;
        if (handlers is not null)
        {
            foreach (var single in Delegate.EnumerateInvocationList(handlers)) // no array per packet
            {
                try
                {
                    single(this, frame);
                }
                catch (Exception ex)
                {
                    Microsoft.Extensions.Logging.LoggerExtensions.LogError(logger, ex, "A VideoFrameReceived handler threw; the stack carries on");
                }
            }
        }

        _videoReader?.Writer.TryWrite(frame.Clone());
    }

    internal void DeliverAudio(AudioFrame frame, Microsoft.Extensions.Logging.ILogger logger)
    {
        if (!_enabled)
        {
            return;
        }

        var handlers = _audioHandlers;
        if (handlers is not null)
        {
            foreach (var single in Delegate.EnumerateInvocationList(handlers)) // no array per packet
            {
                try
                {
                    single(this, frame);
                }
                catch (Exception ex)
                {
                    Microsoft.Extensions.Logging.LoggerExtensions.LogError(logger, ex, "An AudioFrameReceived handler threw; the stack carries on");
                }
            }
        }

        if (_audioReader is { } reader)
        {
            var copy = AudioFrame.Create(frame.SampleRate, frame.Channels, frame.SamplesPerChannel, frame.Timestamp);
            frame.Samples.CopyTo(copy.Samples);
            reader.Writer.TryWrite(copy);
        }
    }

    // A remote track: ended by the remote side or by its transceiver stopping; raises Ended (W3C).
    internal void EndFromRemote()
    {
        if (Interlocked.Exchange(ref _state, 1) == 0)
        {
            OnEnded();
            RaiseSafely(Ended);
        }
    }

    internal void SetMuted(bool muted)
    {
        if (Interlocked.Exchange(ref _muted, muted ? 1 : 0) != (muted ? 1 : 0))
        {
            RaiseSafely(muted ? Mute : Unmute);
        }
    }

    private void OnEnded()
    {
        _videoReader?.Writer.TryComplete();
        _audioReader?.Writer.TryComplete();
        Source?.TrackEnded(this);
    }

    private void RaiseSafely(EventHandler? handler)
    {
        if (handler is null)
        {
            return;
        }

        foreach (EventHandler single in handler.GetInvocationList())
        {
            try
            {
                single(this, EventArgs.Empty);
            }
            catch (Exception)
            {
                // A user handler's failure must not reach the receive loop.
            }
        }
    }
}

/// <summary>A set of tracks that play together (W3C <c>MediaStream</c>); its id goes into SDP <c>a=msid</c>.</summary>
public sealed class MediaStream
{
    private readonly object _lock = new();
    private readonly List<MediaStreamTrack> _tracks = new();

    /// <summary>Creates a stream with a new id and, optionally, tracks.</summary>
    /// <param name="tracks">The tracks.</param>
    public MediaStream(params MediaStreamTrack[] tracks)
        : this(Guid.NewGuid().ToString(), tracks)
    {
    }

    /// <summary>Creates a stream with the given id (a remote stream's id comes from its msid).</summary>
    /// <param name="id">The id.</param>
    /// <param name="tracks">The tracks.</param>
    public MediaStream(string id, params MediaStreamTrack[] tracks)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
        foreach (var track in tracks)
        {
            AddTrack(track);
        }
    }

    /// <summary>The stream id.</summary>
    public string Id { get; }

    /// <summary>The tracks, a snapshot.</summary>
    public IReadOnlyList<MediaStreamTrack> GetTracks()
    {
        lock (_lock)
        {
            return _tracks.ToArray();
        }
    }

    /// <summary>The audio tracks, a snapshot.</summary>
    public IReadOnlyList<MediaStreamTrack> GetAudioTracks() => GetTracks().Where(t => t.Kind == MediaKind.Audio).ToArray();

    /// <summary>The video tracks, a snapshot.</summary>
    public IReadOnlyList<MediaStreamTrack> GetVideoTracks() => GetTracks().Where(t => t.Kind == MediaKind.Video).ToArray();

    /// <summary>Adds a track (nothing when it is there already).</summary>
    /// <param name="track">The track.</param>
    public void AddTrack(MediaStreamTrack track)
    {
        ArgumentNullException.ThrowIfNull(track);
        lock (_lock)
        {
            if (!_tracks.Contains(track))
            {
                _tracks.Add(track);
            }
        }
    }

    /// <summary>Removes a track.</summary>
    /// <param name="track">The track.</param>
    public void RemoveTrack(MediaStreamTrack track)
    {
        lock (_lock)
        {
            _tracks.Remove(track);
        }
    }

    /// <summary>The id.</summary>
    public override string ToString() => $"stream {Id}";
}
