using BenchmarkDotNet.Attributes;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.Benchmarks;

/// <summary>
/// SCTP on the data-channel hot path: the CRC32c of a 1200-byte packet (CPU instruction against
/// the slicing-by-8 table), writing a packet with one 1100-byte DATA chunk, and parsing a
/// SACK + DATA packet down to the gap blocks and the user data. All should allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class SctpChunkBenchmarks
{
    private static readonly SctpGapAckBlock[] Gaps = [new(2, 3), new(5, 5)];
    private static readonly uint[] Duplicates = [41];

    private readonly byte[] _crcInput = new byte[1200];
    private readonly byte[] _payload = new byte[1100];
    private readonly byte[] _buffer = new byte[1200];
    private byte[] _sackData = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(9260);
        random.NextBytes(_crcInput);
        random.NextBytes(_payload);

        var writer = new SctpPacketWriter(_buffer, 5000, 5000, 0x01020304);
        if (!writer.TryAddSack(40, 131072, Gaps, Duplicates)
            || !writer.TryAddData(SctpDataFlags.Beginning | SctpDataFlags.End, 50, 1, 7, 51, _payload.AsSpan(0, 1000)))
        {
            throw new InvalidOperationException("The benchmark packet does not fit.");
        }

        _sackData = _buffer.AsSpan(0, writer.Finish()).ToArray();
        if (ParseSackAndData() != 1000 + 2 + 1 || WriteData() != 12 + 16 + 1100)
        {
            throw new InvalidOperationException("The benchmark packets do not round-trip.");
        }
    }

    /// <summary>CRC32c of 1200 bytes with SSE4.2 / ARMv8 CRC32 (what <see cref="Crc32c.Compute"/> picks here).</summary>
    [Benchmark(Baseline = true)]
    public uint Crc32cHardware1200() => Crc32c.Compute(_crcInput);

    /// <summary>CRC32c of 1200 bytes with the slicing-by-8 table (the fallback).</summary>
    [Benchmark]
    public uint Crc32cSoftware1200() => Crc32c.ComputeSoftware(_crcInput);

    /// <summary>A packet with one 1100-byte DATA chunk into a reused buffer, checksum included.</summary>
    [Benchmark]
    public int WriteData()
    {
        var writer = new SctpPacketWriter(_buffer, 5000, 5000, 0x01020304);
        writer.TryAddData(SctpDataFlags.Beginning | SctpDataFlags.End, 1, 1, 0, 51, _payload);
        return writer.Finish();
    }

    /// <summary>Verify (CRC32c) and parse a SACK (2 gaps, 1 dup) + 1000-byte DATA packet, touching every field.</summary>
    [Benchmark]
    public int ParseSackAndData()
    {
        if (!SctpPacketReader.TryParse(_sackData, out var reader, out _))
        {
            return -1;
        }

        int total = 0;
        foreach (var chunk in reader.Chunks)
        {
            switch (chunk.Type)
            {
                case SctpChunkType.Sack when SctpSackChunk.TryParse(chunk, out var sack):
                    for (int i = 0; i < sack.GapBlockCount; i++)
                    {
                        total += sack.GetGapBlock(i).End > 0 ? 1 : 0;
                    }

                    total += sack.DuplicateCount;
                    break;
                case SctpChunkType.Data when SctpDataChunk.TryParse(chunk, out var data):
                    total += data.UserData.Length;
                    break;
            }
        }

        return total;
    }
}
