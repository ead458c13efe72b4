using System.Buffers.Binary;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.Tests.Sctp;

/// <summary>Writes one or more chunks into a packet writer.</summary>
internal delegate void ChunkWrite(ref SctpPacketWriter writer);

/// <summary>
/// Round trips of every chunk type through <see cref="SctpPacketWriter"/>, <see cref="SctpPacketReader"/>
/// and the per-chunk readers, plus captured packets from other stacks.
/// </summary>
public class SctpChunkTests
{
    private const ushort Port = 5000;
    private const uint Tag = 0xA1B2C3D4;

    [Test]
    public void Data_EveryFlagCombination_AndPayloadSize(
        [Range(0, 15)] int flagBits,
        [Values(1, 2, 3, 4, 5, 7, 8, 100, 1100)] int size)
    {
        var flags = (SctpDataFlags)flagBits;
        byte[] payload = Payload(size, seed: size);
        byte[] packet = Build((ref SctpPacketWriter w) =>
            Assert.That(w.TryAddData(flags, 0xFFFFFFF0u, 0xBEEF, 0x1234, 51, payload), Is.True));

        Assert.That(packet, Has.Length.EqualTo(12 + SctpPacketWriter.Padded(16 + size)));
        var chunk = Single(packet, SctpChunkType.Data, out int chunks);
        Assert.That(chunks, Is.EqualTo(1));
        Assert.That(chunk.Raw.Length, Is.EqualTo(SctpDataChunk.HeaderLength + size), "chunk length excludes padding");
        Assert.That(chunk.Flags, Is.EqualTo((byte)flags));
        Assert.That(packet.AsSpan(12 + 16 + size).ToArray(), Is.All.Zero, "padding is zero");

        Assert.That(SctpDataChunk.TryParse(chunk, out var data), Is.True);
        Assert.That(data.Flags, Is.EqualTo(flags));
        Assert.That(data.Tsn, Is.EqualTo(0xFFFFFFF0u));
        Assert.That(data.StreamId, Is.EqualTo((ushort)0xBEEF));
        Assert.That(data.StreamSequence, Is.EqualTo((ushort)0x1234));
        Assert.That(data.Ppid, Is.EqualTo(51u));
        Assert.That(data.UserData.ToArray(), Is.EqualTo(payload));
    }

    [Test]
    public void Init_AndInitAck_RoundTrip([Values] bool ack, [Values(0, 1, 5, 8, 32, 300)] int cookieLength)
    {
        byte[] cookie = Payload(cookieLength, seed: 7);
        byte[] packet = Build((ref SctpPacketWriter w) =>
            Assert.That(w.TryAddInit(ack, 0x11223344, 131072, 1024, 65535, 0xDEADBEEF, cookie), Is.True));

        var chunk = Single(packet, ack ? SctpChunkType.InitAck : SctpChunkType.Init, out _);
        Assert.That(chunk.Raw.Length % 4, Is.Zero, "the last parameter (Forward-TSN-Supported) needs no padding");
        Assert.That(SctpInitChunk.TryParse(chunk, out var init), Is.True);
        Assert.That(init.InitiateTag, Is.EqualTo(0x11223344u));
        Assert.That(init.AdvertisedReceiverWindow, Is.EqualTo(131072u));
        Assert.That(init.OutboundStreams, Is.EqualTo((ushort)1024));
        Assert.That(init.InboundStreams, Is.EqualTo((ushort)65535));
        Assert.That(init.InitialTsn, Is.EqualTo(0xDEADBEEFu));

        // RFC 8831 §6.2: WebRTC peers announce FORWARD-TSN (RFC 3758) and RE-CONFIG (RFC 6525).
        Assert.That(init.Supports(SctpChunkType.ForwardTsn), Is.True);
        Assert.That(init.Supports(SctpChunkType.ReConfig), Is.True);
        Assert.That(init.Supports(SctpChunkType.Data), Is.False, "padding of Supported Extensions must not count as type 0");
        Assert.That(init.Supports(SctpChunkType.Sack), Is.False);

        var types = new List<SctpParameterType>();
        var parameters = init.GetParameters();
        while (parameters.MoveNext())
        {
            types.Add(parameters.Current.Type);
        }

        Assert.That(parameters.Malformed, Is.False);
        SctpParameterType[] expected = ack
            ? [SctpParameterType.StateCookie, SctpParameterType.SupportedExtensions, SctpParameterType.ForwardTsnSupported]
            : [SctpParameterType.SupportedExtensions, SctpParameterType.ForwardTsnSupported];
        Assert.That(types, Is.EqualTo(expected));

        bool hasCookie = init.TryGetStateCookie(out var parsedCookie);
        Assert.That(hasCookie, Is.EqualTo(ack));
        if (ack)
        {
            Assert.That(parsedCookie.ToArray(), Is.EqualTo(cookie));
        }
    }

    [Test]
    public void Sack_GapBlocksAndDuplicates([Values(0, 1, 2, 5)] int gapCount, [Values(0, 1, 3)] int dupCount)
    {
        var gaps = new SctpGapAckBlock[gapCount];
        for (int i = 0; i < gapCount; i++)
        {
            gaps[i] = new SctpGapAckBlock((ushort)((i * 10) + 2), (ushort)((i * 10) + 5));
        }

        var dups = new uint[dupCount];
        for (int i = 0; i < dupCount; i++)
        {
            dups[i] = 0xFFFFFFFEu + (uint)i; // wraps
        }

        byte[] packet = Build((ref SctpPacketWriter w) => Assert.That(w.TryAddSack(0x80000000u, 65536, gaps, dups), Is.True));

        var chunk = Single(packet, SctpChunkType.Sack, out _);
        Assert.That(chunk.Raw.Length, Is.EqualTo(16 + (4 * gapCount) + (4 * dupCount)));
        Assert.That(SctpSackChunk.TryParse(chunk, out var sack), Is.True);
        Assert.That(sack.CumulativeTsnAck, Is.EqualTo(0x80000000u));
        Assert.That(sack.AdvertisedReceiverWindow, Is.EqualTo(65536u));
        Assert.That(sack.GapBlockCount, Is.EqualTo(gapCount));
        Assert.That(sack.DuplicateCount, Is.EqualTo(dupCount));
        for (int i = 0; i < gapCount; i++)
        {
            Assert.That(sack.GetGapBlock(i), Is.EqualTo(gaps[i]));
        }

        for (int i = 0; i < dupCount; i++)
        {
            Assert.That(sack.GetDuplicate(i), Is.EqualTo(dups[i]));
        }
    }

    [Test]
    public void Heartbeat_AndAck_CarryInfo([Values] bool ack, [Values(0, 1, 3, 4, 8, 29)] int infoLength)
    {
        byte[] info = Payload(infoLength, seed: 4);
        byte[] packet = Build((ref SctpPacketWriter w) => Assert.That(w.TryAddHeartbeat(ack, info), Is.True));

        var chunk = Single(packet, ack ? SctpChunkType.HeartbeatAck : SctpChunkType.Heartbeat, out _);
        Assert.That(chunk.Raw.Length, Is.EqualTo(8 + infoLength));
        var parameters = SctpParameterEnumerator.Over(chunk.Value);
        Assert.That(parameters.MoveNext(), Is.True);
        Assert.That(parameters.Current.Type, Is.EqualTo(SctpParameterType.HeartbeatInfo));
        Assert.That(parameters.Current.Value.ToArray(), Is.EqualTo(info));
        Assert.That(parameters.MoveNext(), Is.False);
        Assert.That(parameters.Malformed, Is.False);
    }

    [Test]
    public void AbortAndError_WithCause_AndTBit(
        [Values(SctpChunkType.Abort, SctpChunkType.Error)] SctpChunkType type,
        [Values] bool reflectedTag,
        [Values(0, 1, 2, 3, 4, 11)] int infoLength)
    {
        byte[] info = Payload(infoLength, seed: 6);
        byte[] packet = Build((ref SctpPacketWriter w) =>
            Assert.That(w.TryAddErrorCause(type, reflectedTag, SctpErrorCauseCode.UserInitiatedAbort, info), Is.True));

        var chunk = Single(packet, type, out _);
        Assert.That(chunk.Flags & 1, Is.EqualTo(reflectedTag ? 1 : 0), "T bit (RFC 9260 §3.3.7)");
        var causes = SctpParameterEnumerator.Over(chunk.Value);
        Assert.That(causes.MoveNext(), Is.True);
        Assert.That((SctpErrorCauseCode)causes.Current.Type, Is.EqualTo(SctpErrorCauseCode.UserInitiatedAbort));
        Assert.That(causes.Current.Value.ToArray(), Is.EqualTo(info));
        Assert.That(causes.MoveNext(), Is.False);
        Assert.That(causes.Malformed, Is.False);
    }

    [Test]
    public void ErrorCause_OnlyForAbortOrError_WritesNothingOtherwise()
    {
        byte[] buffer = new byte[64];
        var writer = new SctpPacketWriter(buffer, Port, Port, Tag);

        Assert.That(writer.TryAddErrorCause(SctpChunkType.Data, false, SctpErrorCauseCode.ProtocolViolation, []), Is.False);
        Assert.That(writer.Length, Is.EqualTo(SctpPacketReader.HeaderLength));
        Assert.That(writer.HasChunks, Is.False);
    }

    [Test]
    public void Shutdown_CarriesCumulativeTsnAck()
    {
        byte[] packet = Build((ref SctpPacketWriter w) => Assert.That(w.TryAddShutdown(0xCAFEBABE), Is.True));

        var chunk = Single(packet, SctpChunkType.Shutdown, out _);
        Assert.That(chunk.Value.Length, Is.EqualTo(4));
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(chunk.Value), Is.EqualTo(0xCAFEBABEu));
    }

    [TestCase(SctpChunkType.ShutdownAck, (byte)0)]
    [TestCase(SctpChunkType.CookieAck, (byte)0)]
    [TestCase(SctpChunkType.ShutdownComplete, (byte)0)]
    [TestCase(SctpChunkType.ShutdownComplete, (byte)1)]
    public void EmptyChunks_RoundTrip(SctpChunkType type, byte flags)
    {
        byte[] packet = Build((ref SctpPacketWriter w) => Assert.That(w.TryAddChunk(type, flags, []), Is.True));

        Assert.That(packet, Has.Length.EqualTo(16));
        var chunk = Single(packet, type, out _);
        Assert.That(chunk.Flags, Is.EqualTo(flags));
        Assert.That(chunk.Raw.Length, Is.EqualTo(4));
        Assert.That(chunk.Value.IsEmpty, Is.True);
    }

    [Test]
    public void CookieEcho_CarriesTheCookieFromInitAck([Values(1, 4, 37)] int cookieLength)
    {
        byte[] cookie = Payload(cookieLength, seed: 10);
        byte[] initAck = Build((ref SctpPacketWriter w) => Assert.That(w.TryAddInit(true, 9, 1500, 16, 16, 1, cookie), Is.True));
        Assert.That(SctpInitChunk.TryParse(Single(initAck, SctpChunkType.InitAck, out _), out var init), Is.True);
        Assert.That(init.TryGetStateCookie(out var echoed), Is.True);
        byte[] echoedCookie = echoed.ToArray();

        byte[] packet = Build((ref SctpPacketWriter w) => Assert.That(w.TryAddChunk(SctpChunkType.CookieEcho, 0, echoedCookie), Is.True));

        var chunk = Single(packet, SctpChunkType.CookieEcho, out _);
        Assert.That(chunk.Value.ToArray(), Is.EqualTo(cookie));
    }

    [Test]
    public void ForwardTsn_WithStreams([Values(0, 1, 4)] int streamCount)
    {
        var streams = new SctpSkippedStream[streamCount];
        for (int i = 0; i < streamCount; i++)
        {
            streams[i] = new SctpSkippedStream((ushort)(i + 1), (ushort)(0xFFFF - i));
        }

        byte[] packet = Build((ref SctpPacketWriter w) => Assert.That(w.TryAddForwardTsn(123456, streams), Is.True));

        var chunk = Single(packet, SctpChunkType.ForwardTsn, out _);
        Assert.That(SctpForwardTsnChunk.TryParse(chunk, out var forward), Is.True);
        Assert.That(forward.NewCumulativeTsn, Is.EqualTo(123456u));
        Assert.That(forward.StreamCount, Is.EqualTo(streamCount));
        for (int i = 0; i < streamCount; i++)
        {
            Assert.That(forward.GetStream(i), Is.EqualTo(streams[i]));
        }
    }

    [Test]
    public void ReConfig_OutgoingResetRequest([Values(0, 1, 2, 3)] int streamCount)
    {
        ushort[] streams = Streams(streamCount);
        byte[] packet = Build((ref SctpPacketWriter w) => Assert.That(w.TryAddOutgoingResetRequest(7, 6, 0xFFFFFFFF, streams), Is.True));

        var chunk = Single(packet, SctpChunkType.ReConfig, out _);
        var parameters = SctpParameterEnumerator.Over(chunk.Value);
        Assert.That(parameters.MoveNext(), Is.True);
        Assert.That(parameters.Current.Type, Is.EqualTo(SctpParameterType.OutgoingSsnResetRequest));
        Assert.That(parameters.Current.Raw.Length, Is.EqualTo(16 + (2 * streamCount)), "parameter length excludes padding");
        Assert.That(SctpStreamResetRequest.TryParse(parameters.Current, out var request), Is.True);
        Assert.That(SctpReconfigResponse.TryParse(parameters.Current, out _), Is.False);
        Assert.That(request.IsIncoming, Is.False);
        Assert.That(request.RequestSequence, Is.EqualTo(7u));
        Assert.That(request.ResponseSequence, Is.EqualTo(6u));
        Assert.That(request.SendersLastAssignedTsn, Is.EqualTo(0xFFFFFFFFu));
        AssertStreams(request, streams);
        Assert.That(parameters.MoveNext(), Is.False);
        Assert.That(parameters.Malformed, Is.False);
    }

    [Test]
    public void ReConfig_IncomingResetRequest([Values(0, 1, 2, 5)] int streamCount)
    {
        ushort[] streams = Streams(streamCount);
        byte[] packet = Build((ref SctpPacketWriter w) => Assert.That(w.TryAddIncomingResetRequest(42, streams), Is.True));

        var chunk = Single(packet, SctpChunkType.ReConfig, out _);
        var parameters = SctpParameterEnumerator.Over(chunk.Value);
        Assert.That(parameters.MoveNext(), Is.True);
        Assert.That(parameters.Current.Type, Is.EqualTo(SctpParameterType.IncomingSsnResetRequest));
        Assert.That(parameters.Current.Raw.Length, Is.EqualTo(8 + (2 * streamCount)));
        Assert.That(SctpStreamResetRequest.TryParse(parameters.Current, out var request), Is.True);
        Assert.That(request.IsIncoming, Is.True);
        Assert.That(request.RequestSequence, Is.EqualTo(42u));
        AssertStreams(request, streams);
        Assert.That(parameters.MoveNext(), Is.False);
        Assert.That(parameters.Malformed, Is.False);
    }

    [Test]
    public void ReConfig_Response([Values] SctpReconfigResult result)
    {
        byte[] packet = Build((ref SctpPacketWriter w) => Assert.That(w.TryAddReconfigResponse(99, result), Is.True));

        var chunk = Single(packet, SctpChunkType.ReConfig, out _);
        var parameters = SctpParameterEnumerator.Over(chunk.Value);
        Assert.That(parameters.MoveNext(), Is.True);
        Assert.That(SctpReconfigResponse.TryParse(parameters.Current, out var response), Is.True);
        Assert.That(SctpStreamResetRequest.TryParse(parameters.Current, out _), Is.False);
        Assert.That(response, Is.EqualTo(new SctpReconfigResponse(99, result)));
    }

    [Test]
    public void SeveralChunksBundled_InOrder_WithPadding()
    {
        byte[] packet = Build((ref SctpPacketWriter w) =>
        {
            Assert.That(w.TryAddChunk(SctpChunkType.CookieEcho, 0, [1, 2, 3, 4, 5]), Is.True);
            Assert.That(w.TryAddData(SctpDataFlags.Beginning | SctpDataFlags.End, 1, 0, 0, 50, [0x03, 0x00, 0x00]), Is.True);
            Assert.That(w.TryAddSack(100, 4096, new[] { new SctpGapAckBlock(2, 2) }, []), Is.True);
            Assert.That(w.TryAddData(SctpDataFlags.Unordered | SctpDataFlags.Beginning | SctpDataFlags.End, 2, 1, 0, 51, "a"u8), Is.True);
            Assert.That(w.TryAddForwardTsn(5, new[] { new SctpSkippedStream(1, 1) }), Is.True);
            Assert.That(w.TryAddHeartbeat(false, [9, 9, 9]), Is.True);
            Assert.That(w.TryAddChunk(SctpChunkType.CookieAck, 0, []), Is.True);
        });

        // 12 + 8 (5 -> 9 -> 12) ... each chunk starts on a 4-byte boundary.
        Assert.That(SctpPacketReader.TryParse(packet, out var reader, out var error), Is.True, error.ToString());
        Assert.That(reader.SourcePort, Is.EqualTo(Port));
        Assert.That(reader.DestinationPort, Is.EqualTo((ushort)(Port + 1)));
        Assert.That(reader.VerificationTag, Is.EqualTo(Tag));
        Assert.That(reader.Raw.Length, Is.EqualTo(packet.Length));

        var types = new List<SctpChunkType>();
        int offset = SctpPacketReader.HeaderLength;
        foreach (var chunk in reader.Chunks)
        {
            types.Add(chunk.Type);
            Assert.That(offset % 4, Is.Zero);
            Assert.That(packet.AsSpan(offset, chunk.Raw.Length).SequenceEqual(chunk.Raw), Is.True, $"chunk at {offset}");
            offset += SctpPacketWriter.Padded(chunk.Raw.Length);
            switch (chunk.Type)
            {
                case SctpChunkType.Data:
                    Assert.That(SctpDataChunk.TryParse(chunk, out var data), Is.True);
                    Assert.That(data.UserData.Length, Is.EqualTo(data.Tsn == 1 ? 3 : 1));
                    break;
                case SctpChunkType.Sack:
                    Assert.That(SctpSackChunk.TryParse(chunk, out var sack), Is.True);
                    Assert.That(sack.GetGapBlock(0), Is.EqualTo(new SctpGapAckBlock(2, 2)));
                    break;
                case SctpChunkType.ForwardTsn:
                    Assert.That(SctpForwardTsnChunk.TryParse(chunk, out var forward), Is.True);
                    Assert.That(forward.StreamCount, Is.EqualTo(1));
                    break;
                case SctpChunkType.CookieEcho:
                    Assert.That(chunk.Value.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5 }));
                    break;
            }
        }

        Assert.That(offset, Is.EqualTo(packet.Length));
        Assert.That(types, Is.EqualTo(new[]
        {
            SctpChunkType.CookieEcho, SctpChunkType.Data, SctpChunkType.Sack, SctpChunkType.Data,
            SctpChunkType.ForwardTsn, SctpChunkType.Heartbeat, SctpChunkType.CookieAck,
        }));
    }

    [Test]
    public void ChunkReaders_RefuseOtherChunkTypes()
    {
        byte[] packet = Build((ref SctpPacketWriter w) =>
        {
            Assert.That(w.TryAddSack(1, 1, [], []), Is.True);
            Assert.That(w.TryAddData(SctpDataFlags.End, 1, 1, 1, 1, Payload(16, 1)), Is.True);
        });
        Assert.That(SctpPacketReader.TryParse(packet, out var reader, out _), Is.True);
        var chunks = reader.Chunks;
        Assert.That(chunks.MoveNext(), Is.True);
        var sack = chunks.Current;
        Assert.That(chunks.MoveNext(), Is.True);
        var data = chunks.Current;

        Assert.That(SctpDataChunk.TryParse(sack, out _), Is.False);
        Assert.That(SctpInitChunk.TryParse(data, out _), Is.False);
        Assert.That(SctpSackChunk.TryParse(data, out _), Is.False);
        Assert.That(SctpForwardTsnChunk.TryParse(sack, out _), Is.False);
        Assert.That(SctpForwardTsnChunk.TryParse(data, out _), Is.False);
    }

    [Test]
    public void Writer_TooSmallBuffer_Throws()
    {
        Assert.That(() => new SctpPacketWriter(new byte[15], 1, 2, 3), Throws.ArgumentException);
        Assert.That(() => new SctpPacketWriter(new byte[16], 1, 2, 3), Throws.Nothing);
    }

    [Test]
    public void Writer_LengthRemainingAndPadded()
    {
        Assert.That(SctpPacketWriter.Padded(0), Is.Zero);
        Assert.That(SctpPacketWriter.Padded(1), Is.EqualTo(4));
        Assert.That(SctpPacketWriter.Padded(4), Is.EqualTo(4));
        Assert.That(SctpPacketWriter.Padded(17), Is.EqualTo(20));

        var writer = new SctpPacketWriter(new byte[100], Port, Port, Tag);
        Assert.That(writer.Length, Is.EqualTo(12));
        Assert.That(writer.Remaining, Is.EqualTo(88));
        Assert.That(writer.TryAddData(SctpDataFlags.End, 1, 0, 0, 0, [1]), Is.True);
        Assert.That(writer.Length, Is.EqualTo(32));
        Assert.That(writer.Remaining, Is.EqualTo(68));
        Assert.That(writer.HasChunks, Is.True);
        Assert.That(writer.Finish(), Is.EqualTo(32));
    }

    public enum Kind
    {
        Data,
        Init,
        InitAck,
        Sack,
        ForwardTsn,
        Shutdown,
        Heartbeat,
        Abort,
        OutgoingReset,
        IncomingReset,
        ReconfigResponse,
        Chunk,
    }

    [Test]
    public void TryAdd_WhenFull_ReturnsFalseAndWritesNothing([Values] Kind kind)
    {
        // Find the exact room the chunk needs, then offer one byte less.
        int needed = ChunkSize(kind);
        Assert.That(needed % 4, Is.Zero);

        byte[] exact = new byte[12 + needed];
        var fits = new SctpPacketWriter(exact, Port, Port, Tag);
        Assert.That(Add(ref fits, kind), Is.True, "exact fit");
        Assert.That(fits.Remaining, Is.Zero);
        Assert.That(SctpPacketReader.TryParse(exact.AsSpan(0, fits.Finish()), out _, out _), Is.True);

        byte[] small = new byte[12 + needed - 1 + 8];
        Span<byte> window = small.AsSpan(0, 12 + needed - 1);
        small.AsSpan().Fill(0xEE);
        var writer = new SctpPacketWriter(window, Port, Port, Tag);
        Assert.That(Add(ref writer, kind), Is.False);
        Assert.That(writer.Length, Is.EqualTo(12));
        Assert.That(writer.HasChunks, Is.False);
        Assert.That(small.AsSpan(12).ToArray(), Is.All.EqualTo((byte)0xEE), "nothing written past the header");

        // A full writer still finishes a valid packet with the chunks it has.
        var partial = new SctpPacketWriter(window, Port, Port, Tag);
        Assert.That(partial.TryAddChunk(SctpChunkType.CookieAck, 0, []), Is.True);
        int before = partial.Length;
        Assert.That(Add(ref partial, kind), Is.False);
        Assert.That(partial.Length, Is.EqualTo(before));
        Assert.That(SctpPacketReader.TryParse(window[..partial.Finish()], out _, out _), Is.True);
    }

    [Test]
    public void TryAdd_ChunkLongerThan65535_ReturnsFalse()
    {
        byte[] buffer = new byte[70000];
        var writer = new SctpPacketWriter(buffer, Port, Port, Tag);

        Assert.That(writer.TryAddData(SctpDataFlags.End, 1, 0, 0, 0, new byte[65535 - 16 + 1]), Is.False);
        Assert.That(writer.TryAddChunk(SctpChunkType.CookieEcho, 0, new byte[65535 - 4 + 1]), Is.False);
        Assert.That(writer.Length, Is.EqualTo(12));
        Assert.That(writer.TryAddData(SctpDataFlags.End, 1, 0, 0, 0, new byte[65535 - 16]), Is.True, "the largest chunk fits");
        int length = writer.Finish();
        Assert.That(length, Is.EqualTo(12 + 65536));
        Assert.That(SctpPacketReader.TryParse(buffer.AsSpan(0, length), out var reader, out _), Is.True);
        var chunks = reader.Chunks;
        Assert.That(chunks.MoveNext(), Is.True);
        Assert.That(SctpDataChunk.TryParse(chunks.Current, out var data), Is.True);
        Assert.That(data.UserData.Length, Is.EqualTo(65535 - 16));
    }

    /// <summary>A second Finish, or a chunk added after Finish, still yields a valid checksum.</summary>
    [Test]
    public void FinishTwice_OrAddAfterFinish_KeepsValidChecksum()
    {
        byte[] buffer = new byte[128];
        var writer = new SctpPacketWriter(buffer, Port, Port, Tag);
        Assert.That(writer.TryAddData(SctpDataFlags.End, 1, 0, 0, 0, [1, 2, 3]), Is.True);
        int first = writer.Finish();
        Assert.That(SctpPacketReader.TryParse(buffer.AsSpan(0, first), out _, out _), Is.True, "first Finish");

        int again = writer.Finish();
        Assert.That(SctpPacketReader.TryParse(buffer.AsSpan(0, again), out _, out var error), Is.True, $"second Finish: {error}");

        Assert.That(writer.TryAddChunk(SctpChunkType.CookieAck, 0, []), Is.True);
        int more = writer.Finish();
        Assert.That(SctpPacketReader.TryParse(buffer.AsSpan(0, more), out _, out error), Is.True, $"Finish after adding a chunk: {error}");
    }

    [Test]
    public void Captured_DcsctpInit_FromWireshark()
    {
        // dcsctp sctp_packet_test.cc "DeserializeSimplePacketFromCapture": an INIT with
        // ECN, Forward-TSN-Supported, Supported Extensions (length 9, padded), AUTH parameters.
        byte[] packet = SctpCapturedPackets.DcsctpInit;
        Assert.That(SctpPacketReader.TryParse(packet, out var reader, out var error), Is.True, error.ToString());
        Assert.That(reader.SourcePort, Is.EqualTo((ushort)5000));
        Assert.That(reader.DestinationPort, Is.EqualTo((ushort)5000));
        Assert.That(reader.VerificationTag, Is.Zero);

        var chunks = reader.Chunks;
        Assert.That(chunks.MoveNext(), Is.True);
        Assert.That(chunks.Current.Type, Is.EqualTo(SctpChunkType.Init));
        Assert.That(SctpInitChunk.TryParse(chunks.Current, out var init), Is.True);
        Assert.That(init.InitiateTag, Is.EqualTo(0x0EDDCA08u));
        Assert.That(init.AdvertisedReceiverWindow, Is.EqualTo(131072u));
        Assert.That(init.OutboundStreams, Is.EqualTo((ushort)1000));
        Assert.That(init.InboundStreams, Is.EqualTo((ushort)1000));
        Assert.That(init.InitialTsn, Is.EqualTo(1426601527u));
        Assert.That(init.Supports(SctpChunkType.ForwardTsn), Is.True);
        Assert.That(init.Supports(SctpChunkType.ReConfig), Is.True);
        Assert.That(init.Supports(SctpChunkType.Data), Is.False);
        Assert.That(init.TryGetStateCookie(out _), Is.False);
        int count = 0;
        var parameters = init.GetParameters();
        while (parameters.MoveNext())
        {
            count++;
        }

        Assert.That(count, Is.EqualTo(6));
        Assert.That(parameters.Malformed, Is.False);
        Assert.That(chunks.MoveNext(), Is.False);
    }

    [Test]
    public void Captured_PionInit()
    {
        // pion/sctp packet_test.go "TestPacketUnmarshal": a browser-style INIT (OS 1024, MIS 2048).
        byte[] packet = SctpCapturedPackets.PionInit;
        Assert.That(SctpPacketReader.TryParse(packet, out var reader, out var error), Is.True, error.ToString());
        var chunks = reader.Chunks;
        Assert.That(chunks.MoveNext(), Is.True);
        Assert.That(SctpInitChunk.TryParse(chunks.Current, out var init), Is.True);
        Assert.That(init.InitiateTag, Is.EqualTo(0x55B964A5u));
        Assert.That(init.OutboundStreams, Is.EqualTo((ushort)1024));
        Assert.That(init.InboundStreams, Is.EqualTo((ushort)2048));
        Assert.That(init.InitialTsn, Is.EqualTo(0xE86D1030u));
        Assert.That(init.Supports(SctpChunkType.ForwardTsn), Is.True);
        Assert.That(init.Supports(SctpChunkType.ReConfig), Is.True);
        Assert.That(chunks.MoveNext(), Is.False);
    }

    [Test]
    public void Captured_CookieAckAndSack()
    {
        // dcsctp sctp_packet_test.cc "DeserializePacketWithTwoChunks".
        byte[] packet = SctpCapturedPackets.CookieAckAndSack;
        Assert.That(SctpPacketReader.TryParse(packet, out var reader, out var error), Is.True, error.ToString());
        Assert.That(reader.SourcePort, Is.EqualTo((ushort)1234));
        Assert.That(reader.DestinationPort, Is.EqualTo((ushort)4321));
        Assert.That(reader.VerificationTag, Is.EqualTo(0x697E3A4Eu));
        var chunks = reader.Chunks;
        Assert.That(chunks.MoveNext(), Is.True);
        Assert.That(chunks.Current.Type, Is.EqualTo(SctpChunkType.CookieAck));
        Assert.That(chunks.MoveNext(), Is.True);
        Assert.That(SctpSackChunk.TryParse(chunks.Current, out var sack), Is.True);
        Assert.That(sack.CumulativeTsnAck, Is.EqualTo(2930332242u));
        Assert.That(sack.AdvertisedReceiverWindow, Is.EqualTo(131072u));
        Assert.That(sack.GapBlockCount, Is.Zero);
        Assert.That(sack.DuplicateCount, Is.Zero);
        Assert.That(chunks.MoveNext(), Is.False);
    }

    [Test]
    public void Captured_WrongChecksum_RefusedUnlessVerificationIsOff()
    {
        // dcsctp sctp_packet_test.cc "DeserializePacketWithWrongChecksum" / "...DontValidateChecksum".
        byte[] packet = SctpCapturedPackets.SackWrongChecksum;
        Assert.That(SctpPacketReader.TryParse(packet, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(SctpParseError.BadChecksum));

        // RFC 8261 §5: over DTLS the checksum may go unchecked.
        Assert.That(SctpPacketReader.TryParse(packet, out var reader, out error, verifyChecksum: false), Is.True);
        Assert.That(error, Is.EqualTo(SctpParseError.None));
        Assert.That(reader.VerificationTag, Is.EqualTo(0x0EDDCA08u));
        var chunks = reader.Chunks;
        Assert.That(chunks.MoveNext(), Is.True);
        Assert.That(SctpSackChunk.TryParse(chunks.Current, out var sack), Is.True);
        Assert.That(sack.CumulativeTsnAck, Is.EqualTo(1426601536u));
    }

    internal static byte[] Build(ChunkWrite write)
    {
        byte[] buffer = new byte[2048];
        buffer.AsSpan().Fill(0xCC); // so missing padding or clearing shows up
        var writer = new SctpPacketWriter(buffer, Port, Port + 1, Tag);
        write(ref writer);
        int length = writer.Finish();
        return buffer.AsSpan(0, length).ToArray();
    }

    internal static byte[] Payload(int length, int seed)
    {
        byte[] payload = new byte[length];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    private static SctpChunk Single(byte[] packet, SctpChunkType type, out int count)
    {
        Assert.That(SctpPacketReader.TryParse(packet, out var reader, out var error), Is.True, error.ToString());
        Assert.That(error, Is.EqualTo(SctpParseError.None));
        Assert.That(reader.VerificationTag, Is.EqualTo(Tag));
        SctpChunk first = default;
        count = 0;
        foreach (var chunk in reader.Chunks)
        {
            if (count++ == 0)
            {
                first = chunk;
            }
        }

        Assert.That(count, Is.EqualTo(1));
        Assert.That(first.Type, Is.EqualTo(type));
        return first;
    }

    private static ushort[] Streams(int count)
    {
        var streams = new ushort[count];
        for (int i = 0; i < count; i++)
        {
            streams[i] = (ushort)((i * 1000) + 1);
        }

        return streams;
    }

    private static void AssertStreams(SctpStreamResetRequest request, ushort[] streams)
    {
        Assert.That(request.StreamCount, Is.EqualTo(streams.Length));
        for (int i = 0; i < streams.Length; i++)
        {
            Assert.That(request.GetStream(i), Is.EqualTo(streams[i]));
        }
    }

    private static int ChunkSize(Kind kind)
    {
        byte[] big = new byte[1024];
        var writer = new SctpPacketWriter(big, Port, Port, Tag);
        Assert.That(Add(ref writer, kind), Is.True);
        return writer.Length - 12;
    }

    private static bool Add(ref SctpPacketWriter w, Kind kind) => kind switch
    {
        Kind.Data => w.TryAddData(SctpDataFlags.End, 1, 2, 3, 4, [1, 2, 3, 4, 5]),
        Kind.Init => w.TryAddInit(false, 1, 2, 3, 4, 5, []),
        Kind.InitAck => w.TryAddInit(true, 1, 2, 3, 4, 5, [1, 2, 3]),
        Kind.Sack => w.TryAddSack(1, 2, new[] { new SctpGapAckBlock(1, 2) }, [7, 8]),
        Kind.ForwardTsn => w.TryAddForwardTsn(1, new[] { new SctpSkippedStream(1, 2) }),
        Kind.Shutdown => w.TryAddShutdown(1),
        Kind.Heartbeat => w.TryAddHeartbeat(true, [1, 2, 3, 4, 5, 6]),
        Kind.Abort => w.TryAddErrorCause(SctpChunkType.Abort, true, SctpErrorCauseCode.ProtocolViolation, [1]),
        Kind.OutgoingReset => w.TryAddOutgoingResetRequest(1, 2, 3, [1, 2, 3]),
        Kind.IncomingReset => w.TryAddIncomingResetRequest(1, [1]),
        Kind.ReconfigResponse => w.TryAddReconfigResponse(1, SctpReconfigResult.Denied),
        _ => w.TryAddChunk(SctpChunkType.CookieEcho, 0, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
    };
}

/// <summary>SCTP packets from other stacks' tests, used as vectors (bytes only).</summary>
internal static class SctpCapturedPackets
{
    /// <summary>pion/sctp packet_test.go: a common header without chunks, checksum bytes 06 a9 00 e1.</summary>
    public static readonly byte[] PionHeaderOnly = Convert.FromHexString(
        "138813880000000006A900E1");

    /// <summary>pion/sctp packet_test.go: an INIT, chunk length 86 plus 2 bytes of trailing padding (100 bytes).</summary>
    public static readonly byte[] PionInit = Convert.FromHexString(
        "138813880000000081469DFC0100005655B964A500020000"
        + "04000800E86D1030C000000480080009C00FC18082000000"
        + "800200249FEBBB5C50C9BF759CB12C574FA45A51BA601778"
        + "27945C31E65D5B0947E22206800400060001000080030006"
        + "80C10000");

    /// <summary>dcsctp sctp_packet_test.cc: an INIT from a Wireshark capture, checksum bytes aa 01 9d 33 (104 bytes).</summary>
    public static readonly byte[] DcsctpInit = Convert.FromHexString(
        "1388138800000000AA019D330100005A0EDDCA0800020000"
        + "03E803E85508363780000004C000000480080009C00FC180"
        + "8200000080020024C5A86155090E6F420050634CC8D6B908"
        + "DFD53E17C99CB143284EAF64682AC2978004000600010000"
        + "8003000680C10000");

    /// <summary>dcsctp sctp_packet_test.cc: COOKIE ACK + SACK, checksum bytes c0 6e 8b 36.</summary>
    public static readonly byte[] CookieAckAndSack = Convert.FromHexString(
        "04D210E1697E3A4EC06E8B360B00000403000010AEA95252"
        + "0002000000000000");

    /// <summary>dcsctp sctp_packet_test.cc: a SACK whose checksum bytes (2a 81 f5 31) are one bit off.</summary>
    public static readonly byte[] SackWrongChecksum = Convert.FromHexString(
        "138813880EDDCA082A81F531030000105508364000020000"
        + "00000000");

    /// <summary>dcsctp sctp_packet_test.cc "DetectPacketWithZeroSizeChunk": a chunk of length 0.</summary>
    public static readonly byte[] ZeroSizeChunk = Convert.FromHexString(
        "FFFFFFFFFF0A0A0A5C0A0A0A0A0A000000");

    public static IEnumerable<byte[]> WithValidChecksum()
    {
        yield return PionHeaderOnly;
        yield return PionInit;
        yield return DcsctpInit;
        yield return CookieAckAndSack;
    }

    public static IEnumerable<byte[]> All() => [.. WithValidChecksum(), SackWrongChecksum, ZeroSizeChunk];
}
