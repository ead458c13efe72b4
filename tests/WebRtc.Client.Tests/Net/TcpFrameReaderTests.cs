using System.Buffers.Binary;
using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.Net;

[TestFixture]
public class TcpFrameReaderTests
{
    [Test]
    public void Rfc4571_FrameSplitAcrossReads_IsDeliveredWhole()
    {
        byte[] payload = [1, 2, 3, 4, 5, 6, 7];
        byte[] stream = [0, 7, .. payload];
        for (int split = 1; split < stream.Length; split++)
        {
            var result = Feed(TcpFraming.Rfc4571, stream, [split, stream.Length]);
            Assert.That(result.Corrupt, Is.False);
            Assert.That(result.Frames, Has.Count.EqualTo(1), $"split at {split}");
            Assert.That(result.Frames[0], Is.EqualTo(payload));
        }
    }

    [Test]
    public void Rfc4571_SeveralFramesInOneRead_AreDeliveredInOrder()
    {
        byte[] stream = [0, 1, 0xAA, 0, 2, 0xBB, 0xCC, 0, 3, 1, 2, 3];
        var result = Feed(TcpFraming.Rfc4571, stream, [stream.Length]);
        Assert.That(result.Frames, Has.Count.EqualTo(3));
        Assert.That(result.Frames[0], Is.EqualTo(new byte[] { 0xAA }));
        Assert.That(result.Frames[1], Is.EqualTo(new byte[] { 0xBB, 0xCC }));
        Assert.That(result.Frames[2], Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void Rfc4571_ZeroLengthFrames_AreSkipped()
    {
        byte[] stream = [0, 0, 0, 0, 0, 1, 0x42, 0, 0, 0, 1, 0x43, 0, 0];
        var result = Feed(TcpFraming.Rfc4571, stream, [1]);
        Assert.That(result.Corrupt, Is.False);
        Assert.That(result.Frames, Has.Count.EqualTo(2));
        Assert.That(result.Frames[0], Is.EqualTo(new byte[] { 0x42 }));
        Assert.That(result.Frames[1], Is.EqualTo(new byte[] { 0x43 }));
    }

    [Test]
    public void Rfc4571_LargestFrame_IsDelivered()
    {
        var payload = new byte[ushort.MaxValue];
        new Random(1).NextBytes(payload);
        byte[] stream = [0xFF, 0xFF, .. payload, 0, 1, 9];
        var result = Feed(TcpFraming.Rfc4571, stream, [1000]);
        Assert.That(result.Frames, Has.Count.EqualTo(2));
        Assert.That(result.Frames[0], Is.EqualTo(payload));
        Assert.That(result.Frames[1], Is.EqualTo(new byte[] { 9 }));
    }

    [Test]
    public void Stun_MessageIsHeaderPlusLength()
    {
        byte[] stun = StunMessage(8, fill: 0x11);
        byte[] stream = [.. stun, .. StunMessage(0, fill: 0x22)];
        var result = Feed(TcpFraming.Stun, stream, [3]);
        Assert.That(result.Corrupt, Is.False);
        Assert.That(result.Frames, Has.Count.EqualTo(2));
        Assert.That(result.Frames[0], Is.EqualTo(stun));
        Assert.That(result.Frames[1], Has.Length.EqualTo(20));
    }

    [Test]
    public void Stun_ChannelDataPadding_IsSkippedNotDelivered()
    {
        // Lengths 5, 6, 7 and 8 pad to 8 on the stream (RFC 8656 §12.5); each is delivered without padding.
        var expected = new List<byte[]>();
        var stream = new List<byte>();
        for (int length = 5; length <= 8; length++)
        {
            var message = ChannelData(0x4001, length, fill: (byte)length);
            expected.Add(message);
            stream.AddRange(message);
            stream.AddRange(new byte[Pad(message.Length) - message.Length]);
        }

        stream.AddRange(StunMessage(4, fill: 0x33));
        expected.Add(StunMessage(4, fill: 0x33));
        foreach (int chunk in new[] { 1, 2, 3, 5, 1000 })
        {
            var result = Feed(TcpFraming.Stun, stream.ToArray(), [chunk]);
            Assert.That(result.Corrupt, Is.False);
            Assert.That(result.Frames, Is.EqualTo(expected), $"chunks of {chunk}");
        }
    }

    [Test]
    public void Stun_ChannelData_WaitsForItsPadding()
    {
        using var reader = new TcpFrameReader(TcpFraming.Stun);
        var message = ChannelData(0x4000, 1, fill: 7);
        Write(reader, message);
        Assert.That(reader.TryReadFrame(out _), Is.EqualTo(TcpFrameStatus.NeedMore));
        Write(reader, [0, 0, 0]);
        Assert.That(reader.TryReadFrame(out var frame), Is.EqualTo(TcpFrameStatus.Frame));
        Assert.That(frame.ToArray(), Is.EqualTo(message));
        Assert.That(reader.Buffered, Is.Zero);
    }

    [TestCase((byte)0x80)]
    [TestCase((byte)0xC0)]
    [TestCase((byte)0xFF)]
    public void Stun_CorruptFirstByte_IsCorruptAndStaysSo(byte first)
    {
        byte[] good = StunMessage(4, fill: 1);
        byte[] stream = [.. good, first, 0, 0, 0, .. StunMessage(0, fill: 2)];
        using var reader = new TcpFrameReader(TcpFraming.Stun);
        Write(reader, stream);
        Assert.That(reader.TryReadFrame(out var frame), Is.EqualTo(TcpFrameStatus.Frame));
        Assert.That(frame.ToArray(), Is.EqualTo(good));
        Assert.That(reader.TryReadFrame(out _), Is.EqualTo(TcpFrameStatus.Corrupt));
        Assert.That(reader.CorruptByte, Is.EqualTo(first));
        Assert.That(reader.TryReadFrame(out _), Is.EqualTo(TcpFrameStatus.Corrupt));
    }

    [Test]
    public void Stun_CorruptFirstByte_IsSeenWithoutWaitingForAHeader()
    {
        using var reader = new TcpFrameReader(TcpFraming.Stun);
        Write(reader, [0x90]);
        Assert.That(reader.TryReadFrame(out _), Is.EqualTo(TcpFrameStatus.Corrupt));
    }

    [Test]
    public void Stun_LargestMessages_AreDelivered()
    {
        byte[] stun = StunMessage(ushort.MaxValue, fill: 5);
        byte[] channel = ChannelData(0x7FFF, ushort.MaxValue, fill: 6);
        byte[] stream = [.. stun, .. channel, 0, .. stun];
        var result = Feed(TcpFraming.Stun, stream, [4096, 7, 65536]);
        Assert.That(result.Corrupt, Is.False);
        Assert.That(result.Frames, Has.Count.EqualTo(3));
        Assert.That(result.Frames[0], Is.EqualTo(stun));
        Assert.That(result.Frames[1], Is.EqualTo(channel));
        Assert.That(result.Frames[2], Is.EqualTo(stun));
    }

    [Test]
    public void ReadBuffer_IsNeverEmpty_WhileFramesAreDrained()
    {
        // Partial frames of every size left behind must still leave room to read.
        var rng = new Random(7);
        using var reader = new TcpFrameReader(TcpFraming.Rfc4571);
        for (int i = 0; i < 2000; i++)
        {
            var buffer = reader.GetReadBuffer();
            Assert.That(buffer.Length, Is.GreaterThan(0));
            int n = Math.Min(buffer.Length, rng.Next(1, 70000));
            rng.NextBytes(buffer.Span[..n]);
            reader.Advance(n);
            while (reader.TryReadFrame(out _) == TcpFrameStatus.Frame)
            {
            }
        }
    }

    /// <summary>
    /// Random, valid and mutated streams (bytes flipped, inserted, deleted, truncated), fed in
    /// random splits: the incremental reader never throws, always terminates, and yields exactly
    /// what a one-shot reference parse of the whole stream yields, corruption included.
    /// </summary>
    [TestCase(TcpFraming.Rfc4571, 11)]
    [TestCase(TcpFraming.Stun, 12)]
    [TestCase(TcpFraming.Stun, 13)]
    public void Fuzz_RandomSplitsOfRandomAndMutatedStreams_MatchReference(TcpFraming framing, int seed)
    {
        var rng = new Random(seed);
        int corruptStreams = 0;
        for (int iteration = 0; iteration < 1500; iteration++)
        {
            var (stream, validFrames) = TcpStreams.Valid(framing, rng, frameCount: rng.Next(0, 12), maxLength: rng.Next(2) == 0 ? 64 : 3000);
            string kind = "valid";
            switch (iteration % 4)
            {
                case 1:
                    stream = TcpStreams.Mutate(stream, rng);
                    kind = "mutated";
                    break;
                case 2:
                    stream = new byte[rng.Next(0, 4000)];
                    rng.NextBytes(stream);
                    kind = "random";
                    break;
                case 3:
                    stream = stream[..rng.Next(stream.Length + 1)];
                    kind = "truncated";
                    break;
            }

            var splits = Enumerable.Range(0, 8).Select(_ => rng.Next(1, rng.Next(2) == 0 ? 8 : 5000)).ToArray();
            var actual = Feed(framing, stream, splits);
            var expected = TcpStreams.Reference(framing, stream);
            string context = $"seed {seed}, iteration {iteration} ({kind}, {stream.Length} bytes)";
            Assert.That(actual.Corrupt, Is.EqualTo(expected.Corrupt), context);
            TcpStreams.AssertSameFrames(actual.Frames, expected.Frames, context);
            if (kind == "valid")
            {
                Assert.That(actual.Corrupt, Is.False, context);
                TcpStreams.AssertSameFrames(actual.Frames, validFrames, context);
            }

            corruptStreams += actual.Corrupt ? 1 : 0;
        }

        if (framing == TcpFraming.Stun)
        {
            Assert.That(corruptStreams, Is.GreaterThan(100), "the fuzz should reach the corrupt path often");
        }
        else
        {
            Assert.That(corruptStreams, Is.Zero, "every RFC 4571 stream can be framed");
        }
    }

    private static void Write(TcpFrameReader reader, ReadOnlySpan<byte> data)
    {
        var buffer = reader.GetReadBuffer();
        data.CopyTo(buffer.Span);
        reader.Advance(data.Length);
    }

    /// <summary>Feeds <paramref name="stream"/> in chunks (cycling through <paramref name="chunkSizes"/>), draining frames after each.</summary>
    internal static (List<byte[]> Frames, bool Corrupt) Feed(TcpFraming framing, byte[] stream, int[] chunkSizes)
    {
        using var reader = new TcpFrameReader(framing);
        var frames = new List<byte[]>();
        int offset = 0;
        int chunkIndex = 0;
        while (true)
        {
            while (true)
            {
                var status = reader.TryReadFrame(out var frame);
                if (status == TcpFrameStatus.Corrupt)
                {
                    return (frames, true);
                }

                if (status == TcpFrameStatus.NeedMore)
                {
                    break;
                }

                frames.Add(frame.ToArray());
            }

            if (offset == stream.Length)
            {
                return (frames, false);
            }

            var buffer = reader.GetReadBuffer();
            int n = Math.Min(Math.Min(chunkSizes[chunkIndex++ % chunkSizes.Length], buffer.Length), stream.Length - offset);
            stream.AsSpan(offset, n).CopyTo(buffer.Span);
            reader.Advance(n);
            offset += n;
        }
    }

    internal static byte[] StunMessage(int bodyLength, byte fill)
    {
        var message = new byte[20 + bodyLength];
        message.AsSpan().Fill(fill);
        BinaryPrimitives.WriteUInt16BigEndian(message, 0x0101); // Binding success response
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)bodyLength);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), 0x2112A442);
        return message;
    }

    internal static byte[] ChannelData(ushort channel, int dataLength, byte fill)
    {
        var message = new byte[4 + dataLength];
        message.AsSpan().Fill(fill);
        BinaryPrimitives.WriteUInt16BigEndian(message, channel);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)dataLength);
        return message;
    }

    private static int Pad(int length) => (length + 3) & ~3;
}

/// <summary>Builds framed streams and parses them the simple way (whole stream at once), as a reference.</summary>
internal static class TcpStreams
{
    /// <summary>A stream of valid frames and the frames the reader must deliver from it.</summary>
    public static (byte[] Stream, List<byte[]> Frames) Valid(TcpFraming framing, Random rng, int frameCount, int maxLength)
    {
        var stream = new List<byte>();
        var frames = new List<byte[]>();
        for (int i = 0; i < frameCount; i++)
        {
            var (onWire, delivered) = RandomFrame(framing, rng, maxLength);
            stream.AddRange(onWire);
            if (delivered.Length > 0)
            {
                frames.Add(delivered);
            }
        }

        return (stream.ToArray(), frames);
    }

    /// <summary>
    /// One random frame: the bytes to hand to TrySend (<paramref name="onWire"/> for the STUN
    /// framing includes ChannelData padding) and the frame the peer must deliver.
    /// </summary>
    public static (byte[] OnWire, byte[] Delivered) RandomFrame(TcpFraming framing, Random rng, int maxLength)
    {
        if (framing == TcpFraming.Rfc4571)
        {
            var payload = new byte[rng.Next(0, maxLength + 1)];
            rng.NextBytes(payload);
            byte[] wire = new byte[2 + payload.Length];
            BinaryPrimitives.WriteUInt16BigEndian(wire, (ushort)payload.Length);
            payload.CopyTo(wire, 2);
            return (wire, payload);
        }

        if (rng.Next(2) == 0)
        {
            int body = rng.Next(0, (maxLength / 4) + 1) * 4;
            var stun = new byte[20 + body];
            rng.NextBytes(stun);
            stun[0] &= 0x3F;
            BinaryPrimitives.WriteUInt16BigEndian(stun.AsSpan(2), (ushort)body);
            return (stun, stun);
        }

        int length = rng.Next(0, maxLength + 1);
        var channel = new byte[4 + length];
        rng.NextBytes(channel);
        channel[0] = (byte)(0x40 | (channel[0] & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(channel.AsSpan(2), (ushort)length);
        var padded = new byte[(channel.Length + 3) & ~3];
        channel.CopyTo(padded, 0);
        return (padded, channel);
    }

    /// <summary>Asserts both lists hold the same frames; names the first that differs (NUnit's deep compare is slow on thousands of arrays).</summary>
    public static void AssertSameFrames(List<byte[]> actual, List<byte[]> expected, string context)
    {
        for (int i = 0; i < Math.Min(actual.Count, expected.Count); i++)
        {
            if (!actual[i].AsSpan().SequenceEqual(expected[i]))
            {
                Assert.Fail($"{context}: frame {i} differs ({actual[i].Length} bytes, expected {expected[i].Length})");
            }
        }

        Assert.That(actual, Has.Count.EqualTo(expected.Count), $"{context}: frame count");
    }

    /// <summary>Flips, inserts and deletes a few bytes.</summary>
    public static byte[] Mutate(byte[] stream, Random rng)
    {
        var bytes = stream.ToList();
        int mutations = rng.Next(1, 5);
        for (int i = 0; i < mutations; i++)
        {
            int at = rng.Next(bytes.Count + 1);
            switch (rng.Next(3))
            {
                case 0 when at < bytes.Count:
                    bytes[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    bytes.Insert(at, (byte)rng.Next(256));
                    break;
                default:
                    if (at < bytes.Count)
                    {
                        bytes.RemoveAt(at);
                    }

                    break;
            }
        }

        return bytes.ToArray();
    }

    /// <summary>Frames of a whole stream; Corrupt when a STUN-framed stream hits a byte that starts no message.</summary>
    public static (List<byte[]> Frames, bool Corrupt) Reference(TcpFraming framing, byte[] s)
    {
        var frames = new List<byte[]>();
        int pos = 0;
        while (true)
        {
            int left = s.Length - pos;
            if (framing == TcpFraming.Rfc4571)
            {
                if (left < 2)
                {
                    return (frames, false);
                }

                int length = (s[pos] << 8) | s[pos + 1];
                if (left < 2 + length)
                {
                    return (frames, false);
                }

                if (length > 0)
                {
                    frames.Add(s[(pos + 2)..(pos + 2 + length)]);
                }

                pos += 2 + length;
                continue;
            }

            if (left < 1)
            {
                return (frames, false);
            }

            if (s[pos] >= 0x80)
            {
                return (frames, true);
            }

            if (left < 4)
            {
                return (frames, false);
            }

            int declared = (s[pos + 2] << 8) | s[pos + 3];
            int frameLength = s[pos] < 0x40 ? 20 + declared : 4 + declared;
            int streamLength = s[pos] < 0x40 ? frameLength : (frameLength + 3) / 4 * 4;
            if (left < streamLength)
            {
                return (frames, false);
            }

            frames.Add(s[pos..(pos + frameLength)]);
            pos += streamLength;
        }
    }
}
