using System.Buffers.Binary;
using System.Text;

namespace WebRtc.Client.Media;

/// <summary>
/// Writes Opus packets to an Ogg Opus file (RFC 7845) that players and <c>ffprobe</c> read: an
/// OpusHead page, an OpusTags page, then one page per packet with the granule position in
/// 48 kHz samples; the last page carries end-of-stream when the writer is disposed.
/// </summary>
public sealed class OggOpusWriter : IDisposable
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly uint _serial;
    private byte[]? _pending;
    private int _pendingSamples;
    private uint _sequence;
    private long _granule;
    private bool _disposed;

    /// <summary>Starts a file and writes its two header pages.</summary>
    /// <param name="stream">Destination.</param>
    /// <param name="channels">Channels the packets decode to (1 or 2).</param>
    /// <param name="preSkip">Samples at 48 kHz a player discards at the start (the encoder's lookahead).</param>
    /// <param name="inputSampleRate">Original sample rate, informational.</param>
    /// <param name="leaveOpen">Keep <paramref name="stream"/> open on dispose.</param>
    public OggOpusWriter(Stream stream, int channels, int preSkip = 312, int inputSampleRate = 48000, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Mapping family 0 carries 1 or 2 channels.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(preSkip);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _serial = (uint)Random.Shared.Next();

        var head = new byte[19];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1;
        head[9] = (byte)channels;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), (ushort)preSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), (uint)inputSampleRate);
        WritePage(head, 0, 0x02);

        byte[] vendor = Encoding.UTF8.GetBytes("WebRtc.Client");
        var tags = new byte[8 + 4 + vendor.Length + 4];
        "OpusTags"u8.CopyTo(tags);
        BinaryPrimitives.WriteUInt32LittleEndian(tags.AsSpan(8), (uint)vendor.Length);
        vendor.CopyTo(tags.AsSpan(12));
        WritePage(tags, 0, 0);
    }

    /// <summary>Adds one Opus packet that decodes to <paramref name="samples48k"/> samples per channel.</summary>
    /// <param name="packet">The packet, at most 65025 bytes.</param>
    /// <param name="samples48k">Its duration in 48 kHz samples (960 for 20 ms).</param>
    public void WritePacket(ReadOnlySpan<byte> packet, int samples48k)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(packet.Length, 255 * 255 - 1);
        ArgumentOutOfRangeException.ThrowIfNegative(samples48k);

        // One packet is held back so the final one can be flagged end-of-stream.
        FlushPending(0);
        _pending = packet.ToArray();
        _pendingSamples = samples48k;
    }

    /// <summary>Writes the last page with end-of-stream and closes the stream unless told otherwise.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (_pending is null)
        {
            // An empty stream still needs an end-of-stream page.
            _pending = [];
        }

        FlushPending(0x04);
        _disposed = true;
        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private void FlushPending(byte flags)
    {
        if (_pending is null)
        {
            return;
        }

        _granule += _pendingSamples;
        WritePage(_pending, _granule, flags);
        _pending = null;
    }

    private void WritePage(ReadOnlySpan<byte> packet, long granule, byte flags)
    {
        int segments = packet.Length / 255 + 1;
        var page = new byte[27 + segments + packet.Length];
        "OggS"u8.CopyTo(page);
        page[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(14), _serial);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(18), _sequence++);
        page[26] = (byte)segments;
        for (int i = 0; i < segments; i++)
        {
            page[27 + i] = (byte)(i < segments - 1 ? 255 : packet.Length % 255);
        }

        packet.CopyTo(page.AsSpan(27 + segments));
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), Crc(page));
        _stream.Write(page);
    }

    /// <summary>Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0.</summary>
    internal static uint Crc(ReadOnlySpan<byte> data)
    {
        uint crc = 0;
        foreach (byte b in data)
        {
            crc = (crc << 8) ^ CrcTable[(crc >> 24) ^ b];
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint r = i << 24;
            for (int bit = 0; bit < 8; bit++)
            {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
            }

            table[i] = r;
        }

        return table;
    }
}
