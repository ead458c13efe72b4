using System.Buffers;

namespace WebRtc.Client.Media;

/// <summary>
/// A raw video frame in I420 (planar Y, then U and V at half width and half height) with its
/// planes in one buffer rented from <see cref="ArrayPool{T}.Shared"/>. Dispose returns the
/// buffer, so a pipeline that disposes what it consumes allocates nothing per frame.
/// </summary>
public sealed class VideoFrame : IDisposable
{
    private byte[]? _buffer;
    private readonly int _uOffset;
    private readonly int _vOffset;

    private VideoFrame(int width, int height, int strideY, int strideUv, TimeSpan timestamp)
    {
        Width = width;
        Height = height;
        StrideY = strideY;
        StrideU = strideUv;
        StrideV = strideUv;
        Timestamp = timestamp;
        _uOffset = strideY * height;
        _vOffset = _uOffset + strideUv * ChromaHeight;
        _buffer = ArrayPool<byte>.Shared.Rent(_vOffset + strideUv * ChromaHeight);
    }

    /// <summary>Width of the luma plane in pixels.</summary>
    public int Width { get; }

    /// <summary>Height of the luma plane in pixels.</summary>
    public int Height { get; }

    /// <summary>Width of the chroma planes: half the luma width, rounded up.</summary>
    public int ChromaWidth => (Width + 1) / 2;

    /// <summary>Height of the chroma planes: half the luma height, rounded up.</summary>
    public int ChromaHeight => (Height + 1) / 2;

    /// <summary>Bytes between the starts of two luma rows.</summary>
    public int StrideY { get; }

    /// <summary>Bytes between the starts of two U rows.</summary>
    public int StrideU { get; }

    /// <summary>Bytes between the starts of two V rows.</summary>
    public int StrideV { get; }

    /// <summary>Capture or presentation time of the frame.</summary>
    public TimeSpan Timestamp { get; set; }

    /// <summary>Rotation a renderer should apply.</summary>
    public VideoRotation Rotation { get; set; }

    /// <summary>The luma plane, <see cref="StrideY"/> x <see cref="Height"/> bytes.</summary>
    public Span<byte> Y => Buffer.AsSpan(0, _uOffset);

    /// <summary>The U (Cb) plane, <see cref="StrideU"/> x <see cref="ChromaHeight"/> bytes.</summary>
    public Span<byte> U => Buffer.AsSpan(_uOffset, _vOffset - _uOffset);

    /// <summary>The V (Cr) plane, <see cref="StrideV"/> x <see cref="ChromaHeight"/> bytes.</summary>
    public Span<byte> V => Buffer.AsSpan(_vOffset, _vOffset - _uOffset);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(VideoFrame));

    /// <summary>Rents a frame with tightly packed planes (stride = width). Its content is undefined.</summary>
    /// <param name="width">Width in pixels, at least 1.</param>
    /// <param name="height">Height in pixels, at least 1.</param>
    /// <param name="timestamp">Presentation time.</param>
    public static VideoFrame Create(int width, int height, TimeSpan timestamp = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 16384);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 16384);
        return new VideoFrame(width, height, width, (width + 1) / 2, timestamp);
    }

    /// <summary>Copies the pixels, timestamp and rotation into a new pooled frame.</summary>
    public VideoFrame Clone()
    {
        var copy = new VideoFrame(Width, Height, StrideY, StrideU, Timestamp) { Rotation = Rotation };
        Buffer.AsSpan(0, _vOffset + StrideV * ChromaHeight).CopyTo(copy.Buffer);
        return copy;
    }

    /// <summary>Returns the buffer to the pool; the planes are unusable afterwards.</summary>
    public void Dispose()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
