using System.Runtime.CompilerServices;

namespace WebRtc.Client.Media;

/// <summary>
/// A producer of raw video frames at a fixed rate. <see cref="NextFrame"/> renders the next
/// frame at once (tests, benchmarks, files); <see cref="ReadFramesAsync"/> paces them on the
/// injected <see cref="TimeProvider"/> as a camera would.
/// </summary>
public abstract class VideoSource : MediaTrackSource
{
    private readonly TimeProvider _timeProvider;
    private readonly SourcePump _pump = new();

    /// <summary>Creates a source of <paramref name="width"/> x <paramref name="height"/> at <paramref name="frameRate"/> frames per second.</summary>
    /// <param name="width">Frame width in pixels.</param>
    /// <param name="height">Frame height in pixels.</param>
    /// <param name="frameRate">Frames per second, above 0 and at most 240.</param>
    /// <param name="timeProvider">Clock for pacing; <see cref="TimeProvider.System"/> when null.</param>
    protected VideoSource(int width, int height, double frameRate, TimeProvider? timeProvider)
        : base(MediaKind.Video)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 2);
        if (!(frameRate > 0 && frameRate <= 240))
        {
            throw new ArgumentOutOfRangeException(nameof(frameRate), frameRate, "Frame rate must be in (0, 240].");
        }

        Width = width;
        Height = height;
        FrameRate = frameRate;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>Frames per second.</summary>
    public double FrameRate { get; }

    /// <summary>Number of frames produced so far.</summary>
    public long FrameCount { get; private set; }

    /// <summary>A test pattern: moving colour bars and a frame counter, so a screenshot shows that video flows.</summary>
    /// <param name="width">Frame width in pixels.</param>
    /// <param name="height">Frame height in pixels.</param>
    /// <param name="frameRate">Frames per second.</param>
    /// <param name="timeProvider">Clock for pacing; <see cref="TimeProvider.System"/> when null.</param>
    public static VideoSource TestPattern(int width, int height, double frameRate, TimeProvider? timeProvider = null) =>
        new TestPatternVideoSource(width, height, frameRate, timeProvider);

    /// <summary>Renders the next frame now, with timestamp <see cref="FrameCount"/> / <see cref="FrameRate"/>. The caller disposes it.</summary>
    public VideoFrame NextFrame()
    {
        long index = FrameCount++;
        var frame = VideoFrame.Create(Width, Height, TimeSpan.FromSeconds(index / FrameRate));
        Render(frame, index);
        return frame;
    }

    /// <summary>
    /// Yields frames paced in real time on the source's clock: frame n is due n / fps after
    /// the first, and a late consumer gets the overdue frames without waiting (no drift).
    /// </summary>
    /// <param name="cancellationToken">Stops the sequence.</param>
    public async IAsyncEnumerable<VideoFrame> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long start = _timeProvider.GetTimestamp();
        long first = FrameCount;
        while (true)
        {
            TimeSpan due = TimeSpan.FromSeconds((FrameCount - first) / FrameRate);
            TimeSpan wait = due - _timeProvider.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return NextFrame();
        }
    }

    /// <summary>
    /// Creates a track on this source. While a sender sends it, the source renders frames at its frame
    /// rate on a background task and the senders encode them.
    /// </summary>
    /// <param name="label">The track label.</param>
    public MediaStreamTrack CreateTrack(string label = "video") => new(MediaKind.Video, label, this);

    private protected override void OnAttached() => _pump.Start(async token =>
    {
        await foreach (var frame in ReadFramesAsync(token).ConfigureAwait(false))
        {
            using (frame)
            {
                DeliverVideo(frame);
            }
        }
    });

    private protected override void OnDetached() => _pump.Stop();

    /// <summary>Draws frame number <paramref name="index"/> into <paramref name="frame"/>.</summary>
    /// <param name="frame">Destination, sized <see cref="Width"/> x <see cref="Height"/>.</param>
    /// <param name="index">Zero-based frame number.</param>
    protected abstract void Render(VideoFrame frame, long index);
}
