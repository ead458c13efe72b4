using System.Buffers;

namespace WebRtc.Client.Sctp;

/// <summary>
/// A reassembled user message. Its bytes live in a pooled buffer: call <see cref="Dispose"/>
/// exactly once when done, and do not keep <see cref="Data"/> or <see cref="Memory"/> after.
/// </summary>
public readonly struct SctpReceivedMessage : IDisposable
{
    private readonly byte[]? _buffer;

    internal SctpReceivedMessage(ushort streamId, uint ppid, bool unordered, byte[] buffer, int length)
    {
        StreamId = streamId;
        Ppid = ppid;
        Unordered = unordered;
        _buffer = buffer;
        Length = length;
    }

    /// <summary>The stream it arrived on.</summary>
    public ushort StreamId { get; }

    /// <summary>Payload protocol identifier.</summary>
    public uint Ppid { get; }

    /// <summary>True when it was sent unordered.</summary>
    public bool Unordered { get; }

    /// <summary>Length in bytes.</summary>
    public int Length { get; }

    /// <summary>The bytes.</summary>
    public ReadOnlySpan<byte> Data => _buffer is null ? default : _buffer.AsSpan(0, Length);

    /// <summary>The bytes as memory.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer is null ? default : _buffer.AsMemory(0, Length);

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
