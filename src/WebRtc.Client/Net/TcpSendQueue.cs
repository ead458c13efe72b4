using System.Buffers;
using System.Threading.Tasks.Sources;

namespace WebRtc.Client.Net;

/// <summary>What <see cref="TcpSendQueue.TryEnqueue"/> did with a frame.</summary>
internal enum TcpEnqueueResult
{
    /// <summary>Copied into the queue.</summary>
    Enqueued,

    /// <summary>Dropped: it would take the queue past its limit.</summary>
    Full,

    /// <summary>Dropped: the queue is closed.</summary>
    Closed,
}

/// <summary>What <see cref="TcpSendQueue.TryTake"/> found.</summary>
internal enum TcpTakeResult
{
    /// <summary>A chunk to write.</summary>
    Chunk,

    /// <summary>Nothing queued: await the wake-up, then ask again.</summary>
    Wait,

    /// <summary>The queue is closed: the writer ends.</summary>
    Closed,
}

/// <summary>
/// The bytes a TCP connection still has to write: frames are copied back to back into pooled
/// 64 KiB chunks, and one writer takes whole chunks. Copying into shared chunks rather than one
/// pooled array per frame keeps a deep queue from draining the pool (which then allocates), and
/// gives the writer many small frames per write. Any thread may enqueue; one writer takes. The
/// writer's wake-up is a reusable <see cref="IValueTaskSource"/>, so waiting allocates nothing.
/// </summary>
internal sealed class TcpSendQueue : IValueTaskSource
{
    /// <summary>Size of one pooled chunk.</summary>
    public const int ChunkSize = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly int _limit;
    private readonly Queue<Chunk> _full = new();
    private ManualResetValueTaskSourceCore<bool> _wake = new() { RunContinuationsAsynchronously = true };
    private byte[]? _tail;
    private int _tailLength;
    private int _tailFrames;
    private int _queuedBytes;
    private bool _writerWaiting;
    private bool _closed;

    /// <summary>Creates a queue that holds at most <paramref name="limit"/> bytes not yet taken.</summary>
    public TcpSendQueue(int limit) => _limit = limit;

    /// <summary>Bytes queued and not yet taken by the writer.</summary>
    public int QueuedBytes
    {
        get
        {
            lock (_lock)
            {
                return _queuedBytes;
            }
        }
    }

    /// <summary>Copies <paramref name="prefix"/> and <paramref name="frame"/> as one frame, or drops them whole.</summary>
    public TcpEnqueueResult TryEnqueue(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> frame)
    {
        bool wake;
        lock (_lock)
        {
            if (_closed)
            {
                return TcpEnqueueResult.Closed;
            }

            int total = prefix.Length + frame.Length;
            if (total > _limit - _queuedBytes)
            {
                return TcpEnqueueResult.Full;
            }

            Append(prefix, endsFrame: false);
            Append(frame, endsFrame: true);
            _queuedBytes += total;
            wake = _writerWaiting;
            _writerWaiting = false;
        }

        // Outside the lock: the writer's continuation is queued, not run here, but stay clean.
        if (wake)
        {
            _wake.SetResult(true);
        }

        return TcpEnqueueResult.Enqueued;
    }

    /// <summary>
    /// For the writer: takes the oldest chunk (hand its buffer back with <see cref="ReturnChunk"/>
    /// after writing it), or gives a wake-up to await when nothing is queued.
    /// </summary>
    public TcpTakeResult TryTake(out Chunk chunk, out ValueTask wake)
    {
        chunk = default;
        wake = default;
        lock (_lock)
        {
            if (_closed)
            {
                return TcpTakeResult.Closed;
            }

            if (_full.TryDequeue(out chunk))
            {
                _queuedBytes -= chunk.Length;
                return TcpTakeResult.Chunk;
            }

            if (_tail is not null)
            {
                chunk = new Chunk(_tail, _tailLength, _tailFrames);
                _tail = null;
                _queuedBytes -= chunk.Length;
                return TcpTakeResult.Chunk;
            }

            // The previous wake-up has been awaited and consumed, so the source can be reused.
            _wake.Reset();
            _writerWaiting = true;
            wake = new ValueTask(this, _wake.Version);
            return TcpTakeResult.Wait;
        }
    }

    /// <summary>Returns a taken chunk's buffer to the pool.</summary>
    public static void ReturnChunk(in Chunk chunk) => ArrayPool<byte>.Shared.Return(chunk.Buffer);

    /// <summary>Refuses further frames, frees what is queued and wakes a waiting writer.</summary>
    public void Close()
    {
        bool wake;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            while (_full.TryDequeue(out var chunk))
            {
                ReturnChunk(chunk);
            }

            if (_tail is not null)
            {
                ArrayPool<byte>.Shared.Return(_tail);
                _tail = null;
            }

            _queuedBytes = 0;
            wake = _writerWaiting;
            _writerWaiting = false;
        }

        if (wake)
        {
            _wake.SetResult(true);
        }
    }

    /// <inheritdoc/>
    void IValueTaskSource.GetResult(short token) => _wake.GetResult(token);

    /// <inheritdoc/>
    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _wake.GetStatus(token);

    /// <inheritdoc/>
    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wake.OnCompleted(continuation, state, token, flags);

    private void Append(ReadOnlySpan<byte> data, bool endsFrame)
    {
        if (data.IsEmpty && !endsFrame)
        {
            return; // no prefix (STUN framing)
        }

        while (true)
        {
            if (_tail is null)
            {
                _tail = ArrayPool<byte>.Shared.Rent(ChunkSize);
                _tailLength = 0;
                _tailFrames = 0;
            }

            int n = Math.Min(data.Length, _tail.Length - _tailLength);
            data[..n].CopyTo(_tail.AsSpan(_tailLength));
            _tailLength += n;
            data = data[n..];
            bool last = data.IsEmpty;
            if (last && endsFrame)
            {
                _tailFrames++; // the frame counts as sent with the chunk that holds its last byte
            }

            if (_tailLength == _tail.Length)
            {
                _full.Enqueue(new Chunk(_tail, _tailLength, _tailFrames));
                _tail = null;
            }

            if (last)
            {
                return;
            }
        }
    }

    /// <summary>Queued bytes in a pooled buffer, and how many frames end in them.</summary>
    internal readonly record struct Chunk(byte[] Buffer, int Length, int Frames);
}
