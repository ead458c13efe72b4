using System.Buffers.Binary;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.Tests.Sctp;

/// <summary>Malformed SCTP packets and chunks are refused with false, never an exception (DESIGN.md).</summary>
public class SctpMalformedPacketTests
{
    [Test]
    public void ShortPackets_TooShortOrNoChunks([Range(0, 15)] int length)
    {
        byte[] packet = new byte[length];
        if (length >= 12)
        {
            Seal(packet);
        }

        Assert.That(SctpPacketReader.TryParse(packet, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(length < 12 ? SctpParseError.TooShort : SctpParseError.NoChunks));
        Assert.That(SctpPacketReader.TryParse(packet, out _, out _, verifyChecksum: false), Is.False);
    }

    [Test]
    public void HeaderOnlyPacketWithValidChecksum_NoChunks()
    {
        Assert.That(SctpPacketReader.TryParse(SctpCapturedPackets.PionHeaderOnly, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(SctpParseError.NoChunks));
    }

    [Test]
    public void EverySingleBitFlip_BadChecksum()
    {
        // CRC32c detects every single-bit error (RFC 9260 §6.8 / Appendix A).
        byte[] valid = BundledPacket();
        for (int bit = 0; bit < valid.Length * 8; bit++)
        {
            byte[] packet = (byte[])valid.Clone();
            packet[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.That(SctpPacketReader.TryParse(packet, out _, out var error), Is.False, $"bit {bit}");
            Assert.That(error, Is.EqualTo(SctpParseError.BadChecksum), $"bit {bit}");
        }
    }

    [Test]
    public void Truncation_RefusedUnlessItCutsAtAChunkBoundaryOrInsidePadding()
    {
        byte[] valid = BundledPacket();
        var acceptable = new HashSet<int>();
        int offset = SctpPacketReader.HeaderLength;
        while (offset < valid.Length)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(valid.AsSpan(offset + 2));
            for (int end = offset + length; end <= offset + SctpPacketWriter.Padded(length); end++)
            {
                acceptable.Add(end);
            }

            offset += SctpPacketWriter.Padded(length);
        }

        for (int length = 0; length < valid.Length; length++)
        {
            byte[] truncated = valid.AsSpan(0, length).ToArray();
            Assert.That(SctpPacketReader.TryParse(truncated, out _, out _), Is.False, $"unsealed, length {length}");

            if (length >= 12)
            {
                Seal(truncated);
            }

            bool ok = SctpPacketReader.TryParse(truncated, out _, out var error);
            Assert.That(ok, Is.EqualTo(acceptable.Contains(length)), $"resealed, length {length}: {error}");
            if (!ok && length >= 16)
            {
                Assert.That(error, Is.EqualTo(SctpParseError.BadChunkLength), $"length {length}");
            }
        }
    }

    [TestCase("0B000000", TestName = "ChunkLength0")]
    [TestCase("0B000001", TestName = "ChunkLength1")]
    [TestCase("0B000003", TestName = "ChunkLength3")]
    [TestCase("0B000009AABBCCDD", TestName = "ChunkLengthPastEnd")]
    [TestCase("0B00FFFF", TestName = "ChunkLength65535")]
    [TestCase("0B000004AA", TestName = "OneStrayByteAfterLastChunk")]
    [TestCase("0B000004AABBCC", TestName = "ThreeStrayBytesAfterLastChunk")]
    [TestCase("0B00000400000000", TestName = "SecondChunkLength0")]
    [TestCase("0B0000040B000005", TestName = "SecondChunkPastEnd")]
    public void BadChunkLength(string chunks)
    {
        byte[] packet = Sealed(chunks);

        Assert.That(SctpPacketReader.TryParse(packet, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(SctpParseError.BadChunkLength));
    }

    [TestCase("0B000004", TestName = "CookieAck")]
    [TestCase("0B000005AA", TestName = "UnpaddedLastChunk")]
    [TestCase("0B000005AA000000", TestName = "PaddedLastChunk")]
    [TestCase("0B000006AABB00", TestName = "PartiallyPaddedLastChunk")]
    public void GoodChunkLength(string chunks)
    {
        byte[] packet = Sealed(chunks);

        Assert.That(SctpPacketReader.TryParse(packet, out var reader, out var error), Is.True, error.ToString());
        int count = 0;
        foreach (var chunk in reader.Chunks)
        {
            Assert.That(chunk.Type, Is.EqualTo(SctpChunkType.CookieAck));
            count++;
        }

        Assert.That(count, Is.EqualTo(1));
    }

    [Test]
    public void CapturedZeroSizeChunk_BadChunkLength()
    {
        Assert.That(SctpPacketReader.TryParse(SctpCapturedPackets.ZeroSizeChunk, out _, out var error, verifyChecksum: false), Is.False);
        Assert.That(error, Is.EqualTo(SctpParseError.BadChunkLength));
        Assert.That(SctpPacketReader.TryParse(SctpCapturedPackets.ZeroSizeChunk, out _, out error), Is.False);
        Assert.That(error, Is.EqualTo(SctpParseError.BadChecksum));
    }

    // SACK: cumulative TSN ack, a_rwnd, gap count, dup count, then 4 bytes per entry (RFC 9260 §3.3.4).
    [TestCase("03000010" + "00000001000010000000" + "0000", true, TestName = "SackEmpty")]
    [TestCase("03000014" + "00000001000010000001" + "0000" + "00020003", true, TestName = "SackOneGap")]
    [TestCase("03000014" + "00000001000010000002" + "0000" + "00020003", false, TestName = "SackGapCountTooHigh")]
    [TestCase("03000014" + "00000001000010000000" + "0000" + "00020003", false, TestName = "SackGapCountTooLow")]
    [TestCase("03000014" + "00000001000010000000" + "0001" + "00000005", true, TestName = "SackOneDup")]
    [TestCase("03000014" + "00000001000010000000" + "0002" + "00000005", false, TestName = "SackDupCountTooHigh")]
    [TestCase("03000018" + "00000001000010000001" + "0000" + "0002000300000005", false, TestName = "SackExtraBytes")]
    [TestCase("0300000E" + "00000001000010000000", false, TestName = "SackValueTooShort")]
    [TestCase("03000011" + "00000001000010000000" + "000000", false, TestName = "SackOddTail")]
    [TestCase("03000010" + "000000010000100000FF" + "FF00", false, TestName = "SackHugeCounts")]
    public void Sack(string chunk, bool valid)
    {
        var parsed = OnlyChunk(Sealed(chunk));

        Assert.That(SctpSackChunk.TryParse(parsed, out var sack), Is.EqualTo(valid));
        if (valid)
        {
            Assert.That(sack.CumulativeTsnAck, Is.EqualTo(1u));
        }
    }

    // INIT: initiate tag, a_rwnd, OS, MIS, initial TSN (RFC 9260 §3.3.2).
    [TestCase("01000014" + "00000001" + "00010000" + "00010001" + "00000000", true, TestName = "InitMinimal")]
    [TestCase("01000014" + "00000000" + "00010000" + "00010001" + "00000000", false, TestName = "InitZeroTag")]
    [TestCase("01000014" + "00000001" + "00010000" + "00000001" + "00000000", false, TestName = "InitZeroOutboundStreams")]
    [TestCase("01000014" + "00000001" + "00010000" + "00010000" + "00000000", false, TestName = "InitZeroInboundStreams")]
    [TestCase("02000014" + "00000000" + "00010000" + "00010001" + "00000000", false, TestName = "InitAckZeroTag")]
    [TestCase("01000013" + "00000001" + "00010000" + "00010001" + "000000", false, TestName = "InitValueTooShort")]
    [TestCase("01000012" + "00000001" + "00010000" + "00010001" + "0000" + "0000", false, TestName = "InitValue14Bytes")]
    public void Init(string chunk, bool valid)
    {
        var parsed = OnlyChunk(Sealed(chunk));

        Assert.That(SctpInitChunk.TryParse(parsed, out _), Is.EqualTo(valid));
    }

    [TestCase("01000016" + "00000001000100000001000100000000" + "0007", TestName = "InitParameterStray2Bytes")]
    [TestCase("01000018" + "00000001000100000001000100000000" + "00070003", TestName = "InitParameterLength3")]
    [TestCase("01000018" + "00000001000100000001000100000000" + "00070009", TestName = "InitParameterPastEnd")]
    public void InitWithMalformedParameters_ParsesButEnumerationStops(string chunk)
    {
        // "InitParameterStray2Bytes" has 18 value bytes: the header fits, the parameter does not.
        var parsed = OnlyChunk(Sealed(chunk));
        Assert.That(SctpInitChunk.TryParse(parsed, out var init), Is.True);

        var parameters = init.GetParameters();
        Assert.That(parameters.MoveNext(), Is.False);
        Assert.That(parameters.Malformed, Is.True);
        Assert.That(init.TryGetStateCookie(out _), Is.False);
        Assert.That(init.Supports(SctpChunkType.ForwardTsn), Is.False);
    }

    // DATA: TSN, stream id, SSN, PPID, then at least one byte (RFC 9260 §3.3.1).
    [TestCase("00030010" + "00000001" + "00010000" + "00000033", false, TestName = "DataEmptyPayload")]
    [TestCase("0003000F" + "00000001" + "00010000" + "000000", false, TestName = "DataValueTooShort")]
    [TestCase("00030004", false, TestName = "DataNoValue")]
    [TestCase("00030011" + "00000001" + "00010000" + "00000033" + "AA", true, TestName = "DataOneByte")]
    public void Data(string chunk, bool valid)
    {
        var parsed = OnlyChunk(Sealed(chunk));

        Assert.That(SctpDataChunk.TryParse(parsed, out var data), Is.EqualTo(valid));
        if (valid)
        {
            Assert.That(data.UserData.ToArray(), Is.EqualTo(new byte[] { 0xAA }));
            Assert.That(data.Flags, Is.EqualTo(SctpDataFlags.Beginning | SctpDataFlags.End));
        }
    }

    // FORWARD-TSN: new cumulative TSN, then 4 bytes per stream (RFC 3758 §3.2).
    [TestCase("C0000008" + "00000005", true, TestName = "ForwardTsnNoStreams")]
    [TestCase("C000000C" + "00000005" + "00010002", true, TestName = "ForwardTsnOneStream")]
    [TestCase("C000000A" + "00000005" + "0001", false, TestName = "ForwardTsnHalfStream")]
    [TestCase("C0000006" + "0000", false, TestName = "ForwardTsnValueTooShort")]
    [TestCase("C0000004", false, TestName = "ForwardTsnNoValue")]
    public void ForwardTsn(string chunk, bool valid)
    {
        var parsed = OnlyChunk(Sealed(chunk));

        Assert.That(SctpForwardTsnChunk.TryParse(parsed, out _), Is.EqualTo(valid));
    }

    // RE-CONFIG parameters (RFC 6525 §4.1, §4.2, §4.4).
    [TestCase("000D0010" + "000000010000000200000003", true, false, TestName = "OutgoingNoStreams")]
    [TestCase("000D0012" + "0000000100000002000000030007", true, false, TestName = "OutgoingOneStream")]
    [TestCase("000D000C" + "0000000100000002", false, false, TestName = "OutgoingValueTooShort")]
    [TestCase("000E0008" + "00000001", true, false, TestName = "IncomingNoStreams")]
    [TestCase("000E0006" + "0000", false, false, TestName = "IncomingValueTooShort")]
    [TestCase("000E0009" + "0000000100", false, false, TestName = "IncomingOddLength")]
    [TestCase("0010000C" + "0000000100000001", false, true, TestName = "Response")]
    [TestCase("00100014" + "00000001000000010000000200000003", false, true, TestName = "ResponseWithTsns")]
    [TestCase("00100008" + "00000001", false, false, TestName = "ResponseValueTooShort")]
    [TestCase("0010000E" + "000000010000000100AA", false, false, TestName = "ResponseBadLength")]
    [TestCase("0011000C" + "0000000100010000", false, false, TestName = "AddOutgoingStreamsIsNeither")]
    public void ReconfigParameter(string parameter, bool isRequest, bool isResponse)
    {
        int length = parameter.Length / 2;
        string chunk = "82000" + (4 + length).ToString("X3", System.Globalization.CultureInfo.InvariantCulture) + parameter;
        var parsed = OnlyChunk(Sealed(chunk));

        var parameters = SctpParameterEnumerator.Over(parsed.Value);
        Assert.That(parameters.MoveNext(), Is.True);
        Assert.That(SctpStreamResetRequest.TryParse(parameters.Current, out var request), Is.EqualTo(isRequest));
        Assert.That(SctpReconfigResponse.TryParse(parameters.Current, out _), Is.EqualTo(isResponse));
        if (isRequest)
        {
            for (int i = 0; i < request.StreamCount; i++)
            {
                Assert.That(request.GetStream(i), Is.EqualTo((ushort)7));
            }
        }
    }

    [TestCase("00", TestName = "ParameterOneByte")]
    [TestCase("000100", TestName = "ParameterThreeBytes")]
    [TestCase("00010000", TestName = "ParameterLength0")]
    [TestCase("00010003", TestName = "ParameterLength3")]
    [TestCase("00010005", TestName = "ParameterLengthPastEnd")]
    [TestCase("0001000500000000" + "00", TestName = "SecondParameterStrayByte")]
    public void MalformedParameter_StopsAndFlags(string parameters)
    {
        byte[] value = Convert.FromHexString(parameters);
        var enumerator = SctpParameterEnumerator.Over(value);
        while (enumerator.MoveNext())
        {
            _ = enumerator.Current.Value.Length;
        }

        Assert.That(enumerator.Malformed, Is.True);
    }

    [Test]
    public void ParameterOffsetPastEnd_Empty()
    {
        var enumerator = SctpParameterEnumerator.Over(new byte[3], 4);

        Assert.That(enumerator.MoveNext(), Is.False);
        Assert.That(enumerator.Malformed, Is.False);
    }

    internal static byte[] Seal(byte[] packet)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(8), SctpPacketReader.ComputeChecksum(packet));
        return packet;
    }

    private static byte[] Sealed(string chunks) => Seal(Convert.FromHexString("1388138800000001" + "00000000" + chunks));

    private static SctpChunk OnlyChunk(byte[] packet)
    {
        Assert.That(SctpPacketReader.TryParse(packet, out var reader, out var error), Is.True, error.ToString());
        var chunks = reader.Chunks;
        Assert.That(chunks.MoveNext(), Is.True);
        return chunks.Current;
    }

    private static byte[] BundledPacket() => SctpChunkTests.Build((ref SctpPacketWriter w) =>
    {
        w.TryAddChunk(SctpChunkType.CookieEcho, 0, [1, 2, 3, 4, 5]);
        w.TryAddData(SctpDataFlags.Beginning | SctpDataFlags.End, 1, 0, 0, 51, [1, 2]);
        w.TryAddSack(1, 2, new[] { new SctpGapAckBlock(2, 3) }, [9]);
        w.TryAddChunk(SctpChunkType.CookieAck, 0, []);
        w.TryAddHeartbeat(false, [1, 2, 3]);
    });
}

/// <summary>Random and mutated packets never throw out of the reader or any chunk reader.</summary>
public class SctpPacketFuzzTests
{
    private const int Iterations = 150_000;

    private static readonly SctpChunkType[] AllChunkTypes = Enum.GetValues<SctpChunkType>();

    [Test]
    public void RandomAndMutatedPackets_NeverThrow()
    {
        var random = new Random(9260_6525);
        byte[][] seeds = Seeds();
        var stats = new Stats();
        byte[] input = [];
        try
        {
            for (int i = 0; i < Iterations; i++)
            {
                input = random.Next(10) == 0 ? RandomBytes(random) : Mutate(random, seeds[random.Next(seeds.Length)], seeds);
                if (input.Length >= SctpPacketReader.HeaderLength && random.Next(10) != 0)
                {
                    // Recompute the checksum so the mutation reaches the chunk parsers.
                    SctpMalformedPacketTests.Seal(input);
                }

                Exercise(input, verifyChecksum: true, stats);
                Exercise(input, verifyChecksum: false, stats);
            }
        }
        catch (Exception e) when (e is not AssertionException)
        {
            Assert.Fail($"Threw on input {Convert.ToHexString(input)}: {e}");
        }

        TestContext.Out.WriteLine(stats.ToString());

        // The mutations must both keep some inputs valid and break most, and reach every chunk reader.
        Assert.That(stats.Parsed, Is.GreaterThan(Iterations / 10));
        Assert.That(stats.Refused, Is.GreaterThan(Iterations / 4));
        Assert.That(stats.Data, Is.GreaterThan(1000));
        Assert.That(stats.Init, Is.GreaterThan(1000));
        Assert.That(stats.Sack, Is.GreaterThan(1000));
        Assert.That(stats.ForwardTsn, Is.GreaterThan(1000));
        Assert.That(stats.ResetRequest, Is.GreaterThan(1000));
        Assert.That(stats.ReconfigResponse, Is.GreaterThan(100));
        Assert.That(stats.Parameters, Is.GreaterThan(10_000));
    }

    private static void Exercise(byte[] input, bool verifyChecksum, Stats stats)
    {
        bool ok = SctpPacketReader.TryParse(input, out var reader, out var error, verifyChecksum);
        if (ok != (error == SctpParseError.None))
        {
            Assert.Fail($"TryParse returned {ok} with error {error}");
        }

        if (!ok)
        {
            stats.Refused++;
            return;
        }

        stats.Parsed++;
        _ = reader.SourcePort + reader.DestinationPort + reader.VerificationTag;

        // TryParse promises that iteration covers the whole packet.
        int offset = SctpPacketReader.HeaderLength;
        foreach (var chunk in reader.Chunks)
        {
            if (!input.AsSpan(offset, chunk.Raw.Length).SequenceEqual(chunk.Raw))
            {
                Assert.Fail($"Chunk at {offset} is not where the packet has it: {Convert.ToHexString(input)}");
            }

            offset = Math.Min(offset + SctpPacketWriter.Padded(chunk.Raw.Length), input.Length);
            ExerciseChunk(chunk, stats);
        }

        if (offset != input.Length)
        {
            Assert.Fail($"Chunk iteration stopped at {offset} of {input.Length}: {Convert.ToHexString(input)}");
        }
    }

    private static void ExerciseChunk(SctpChunk chunk, Stats stats)
    {
        _ = chunk.Type;
        _ = chunk.Flags;

        if (SctpDataChunk.TryParse(chunk, out var data))
        {
            stats.Data++;
            if (data.UserData.IsEmpty)
            {
                Assert.Fail("DATA parsed with empty user data");
            }

            _ = data.Tsn + data.StreamId + data.StreamSequence + data.Ppid + (uint)data.Flags;
        }

        bool init = SctpInitChunk.TryParse(chunk, out var initChunk);
        if (init)
        {
            stats.Init++;
        }

        // Accessors must be safe even on the partial value a refused INIT leaves behind.
        _ = initChunk.InitiateTag + initChunk.AdvertisedReceiverWindow + initChunk.OutboundStreams + initChunk.InboundStreams + initChunk.InitialTsn;
        _ = initChunk.TryGetStateCookie(out var cookie);
        _ = cookie.Length;
        foreach (var type in AllChunkTypes)
        {
            _ = initChunk.Supports(type);
        }

        ExerciseParameters(initChunk.GetParameters(), stats);

        if (SctpSackChunk.TryParse(chunk, out var sack))
        {
            stats.Sack++;
            _ = sack.CumulativeTsnAck + sack.AdvertisedReceiverWindow;
            for (int i = 0; i < sack.GapBlockCount; i++)
            {
                _ = sack.GetGapBlock(i);
            }

            for (int i = 0; i < sack.DuplicateCount; i++)
            {
                _ = sack.GetDuplicate(i);
            }
        }

        if (SctpForwardTsnChunk.TryParse(chunk, out var forward))
        {
            stats.ForwardTsn++;
            _ = forward.NewCumulativeTsn;
            for (int i = 0; i < forward.StreamCount; i++)
            {
                _ = forward.GetStream(i);
            }
        }

        // RE-CONFIG, HEARTBEAT, ABORT and ERROR carry TLVs from the start of the value; try other offsets too.
        var value = chunk.Value;
        ExerciseParameters(SctpParameterEnumerator.Over(value), stats);
        ExerciseParameters(SctpParameterEnumerator.Over(value, 4), stats);
        ExerciseParameters(SctpParameterEnumerator.Over(value, 16), stats);
        ExerciseParameters(SctpParameterEnumerator.Over(value, value.Length), stats);
        ExerciseParameters(SctpParameterEnumerator.Over(value, value.Length + 1), stats);
    }

    private static void ExerciseParameters(SctpParameterEnumerator parameters, Stats stats)
    {
        while (parameters.MoveNext())
        {
            var p = parameters.Current;
            stats.Parameters++;
            _ = p.Type;
            _ = p.Value.Length;
            if (SctpStreamResetRequest.TryParse(p, out var request))
            {
                stats.ResetRequest++;
                _ = request.IsIncoming;
                _ = request.RequestSequence + request.ResponseSequence + request.SendersLastAssignedTsn;
                for (int i = 0; i < request.StreamCount; i++)
                {
                    _ = request.GetStream(i);
                }
            }

            if (SctpReconfigResponse.TryParse(p, out var response))
            {
                stats.ReconfigResponse++;
                _ = response.Result;
            }
        }

        _ = parameters.Malformed;
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        if (bytes.Length >= 16 && random.Next(2) == 0)
        {
            // Give the first chunk a plausible type and length so random bytes get past the framing.
            bytes[12] = (byte)AllChunkTypes[random.Next(AllChunkTypes.Length)];
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(14), (ushort)(bytes.Length - 12 - random.Next(4)));
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] seed, byte[][] seeds)
    {
        byte[] data = (byte[])seed.Clone();
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations && data.Length > 0; m++)
        {
            switch (random.Next(8))
            {
                case 0:
                    data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[random.Next(data.Length)] = (byte)random.Next(256);
                    break;
                case 2:
                    data = data.AsSpan(0, random.Next(data.Length)).ToArray();
                    break;
                case 3:
                    data = [.. data, .. RandomTail(random)];
                    break;
                case 4:
                case 5:
                    EditChunkLength(random, data);
                    break;
                case 6:
                    EditUInt16(random, data);
                    break;
                default:
                    data = Splice(random, data, seeds[random.Next(seeds.Length)]);
                    break;
            }
        }

        return data;
    }

    private static byte[] RandomTail(Random random)
    {
        byte[] tail = new byte[random.Next(1, 9)];
        random.NextBytes(tail);
        return tail;
    }

    /// <summary>Sets the length field of one chunk to a value near the real one, or anything.</summary>
    private static void EditChunkLength(Random random, byte[] data)
    {
        var starts = new List<int>();
        int offset = SctpPacketReader.HeaderLength;
        while (offset + 4 <= data.Length)
        {
            starts.Add(offset);
            int length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 2));
            if (length < 4)
            {
                break;
            }

            offset += SctpPacketWriter.Padded(length);
        }

        if (starts.Count == 0)
        {
            return;
        }

        int start = starts[random.Next(starts.Count)];
        int current = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(start + 2));
        int value = random.Next(4) switch
        {
            0 => random.Next(0, 8),
            1 => current + random.Next(-4, 5),
            2 => data.Length - start - random.Next(0, 4),
            _ => random.Next(0, 65536),
        };
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(start + 2), (ushort)Math.Clamp(value, 0, 65535));
    }

    /// <summary>Overwrites a 16-bit word: hits parameter lengths, SACK counts, stream counts.</summary>
    private static void EditUInt16(Random random, byte[] data)
    {
        if (data.Length < 2)
        {
            return;
        }

        int at = random.Next(data.Length - 1) & ~1;
        int current = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at));
        int value = random.Next(3) switch
        {
            0 => current + random.Next(-4, 5),
            1 => random.Next(0, 8),
            _ => random.Next(0, 65536),
        };
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(at), (ushort)(value & 0xFFFF));
    }

    /// <summary>Appends the chunks of another packet.</summary>
    private static byte[] Splice(Random random, byte[] data, byte[] other)
    {
        int cut = Math.Min(data.Length, SctpPacketReader.HeaderLength + (random.Next(data.Length + 1) & ~3));
        return [.. data.AsSpan(0, cut), .. other.AsSpan(Math.Min(other.Length, SctpPacketReader.HeaderLength))];
    }

    private static byte[][] Seeds()
    {
        var seeds = new List<byte[]>(SctpCapturedPackets.All());
        seeds.Add(SctpChunkTests.Build((ref SctpPacketWriter w) => w.TryAddInit(false, 1, 65536, 1024, 1024, 7, [])));
        seeds.Add(SctpChunkTests.Build((ref SctpPacketWriter w) => w.TryAddInit(true, 2, 65536, 16, 16, 9, SctpChunkTests.Payload(21, 1))));
        seeds.Add(SctpChunkTests.Build((ref SctpPacketWriter w) =>
            w.TryAddSack(100, 4096, new[] { new SctpGapAckBlock(2, 3), new SctpGapAckBlock(5, 9) }, [98, 99, 97])));
        seeds.Add(SctpChunkTests.Build((ref SctpPacketWriter w) =>
        {
            w.TryAddSack(7, 1, new[] { new SctpGapAckBlock(1, 1) }, []);
            w.TryAddData(SctpDataFlags.Beginning, 8, 1, 2, 51, SctpChunkTests.Payload(13, 2));
            w.TryAddData(SctpDataFlags.End | SctpDataFlags.Unordered, 9, 1, 2, 51, SctpChunkTests.Payload(2, 3));
        }));
        seeds.Add(SctpChunkTests.Build((ref SctpPacketWriter w) =>
            w.TryAddForwardTsn(50, new[] { new SctpSkippedStream(1, 2), new SctpSkippedStream(3, 4) })));
        seeds.Add(SctpChunkTests.Build((ref SctpPacketWriter w) => w.TryAddOutgoingResetRequest(1, 2, 3, [1, 3, 5])));
        seeds.Add(SctpChunkTests.Build((ref SctpPacketWriter w) =>
        {
            w.TryAddIncomingResetRequest(4, [2]);
            w.TryAddReconfigResponse(3, SctpReconfigResult.SuccessPerformed);
        }));
        seeds.Add(SctpChunkTests.Build((ref SctpPacketWriter w) =>
        {
            w.TryAddHeartbeat(false, SctpChunkTests.Payload(9, 4));
            w.TryAddErrorCause(SctpChunkType.Abort, true, SctpErrorCauseCode.UserInitiatedAbort, [1, 2, 3]);
            w.TryAddErrorCause(SctpChunkType.Error, false, SctpErrorCauseCode.InvalidStreamIdentifier, [0, 5, 0, 0]);
        }));
        seeds.Add(SctpChunkTests.Build((ref SctpPacketWriter w) =>
        {
            w.TryAddChunk(SctpChunkType.CookieEcho, 0, SctpChunkTests.Payload(7, 5));
            w.TryAddShutdown(77);
            w.TryAddChunk(SctpChunkType.ShutdownComplete, 1, []);
        }));
        return [.. seeds];
    }

    private sealed class Stats
    {
        public int Parsed { get; set; }

        public int Refused { get; set; }

        public int Data { get; set; }

        public int Init { get; set; }

        public int Sack { get; set; }

        public int ForwardTsn { get; set; }

        public int ResetRequest { get; set; }

        public int ReconfigResponse { get; set; }

        public int Parameters { get; set; }

        public override string ToString() =>
            $"parsed {Parsed}, refused {Refused}; DATA {Data}, INIT {Init}, SACK {Sack}, FORWARD-TSN {ForwardTsn}, "
            + $"reset requests {ResetRequest}, reconfig responses {ReconfigResponse}, parameters {Parameters}";
    }
}
