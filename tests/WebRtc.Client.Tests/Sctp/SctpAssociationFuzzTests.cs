using System.Buffers.Binary;
using System.Diagnostics;
using WebRtc.Client.Sctp;
using static WebRtc.Client.Tests.Sctp.SctpTestPackets;

namespace WebRtc.Client.Tests.Sctp;

/// <summary>
/// Hostile input to a live association: random bytes, mutations of real packets, and well-formed
/// packets with the right verification tag but random chunk contents. Nothing may throw or hang
/// (DESIGN.md: network input never throws), and unless the input legitimately ends the
/// association, it must still carry data both ways afterwards.
/// </summary>
public class SctpAssociationFuzzTests
{
    private const ushort CheckStream = 4321;
    private static readonly byte[] Buffer = new byte[70_000];

    private static SctpAssociationOptions Options(int seed) => new() { Random = new Random(seed) };

    private static readonly SctpChunkType[] Ending = [SctpChunkType.Abort, SctpChunkType.Shutdown, SctpChunkType.ShutdownAck, SctpChunkType.ShutdownComplete];

    /// <summary>An established pair after varied traffic; the packets it exchanged, by direction.</summary>
    private static (SctpTestLink Link, List<byte[]> ToA, List<byte[]> ToB) Session(int seed, bool verifyB)
    {
        var link = new SctpTestLink(seed, Options(seed + 1), Options(seed + 2) with { VerifyChecksum = verifyB });
        var toA = new List<byte[]>();
        var toB = new List<byte[]>();
        link.Tamper = (b, p) =>
        {
            var list = b ? toB : toA;
            if (list.Count < 3000)
            {
                list.Add((byte[])p.Clone());
            }

            return p;
        };
        link.Connect();
        link.Loss = 0.1;
        link.Reorder = 0.1;
        var random = new Random(seed);
        for (int i = 0; i < 150; i++)
        {
            var data = new byte[1 + random.Next(i % 10 == 0 ? 6000 : 300)];
            random.NextBytes(data);
            var options = (i % 4) switch
            {
                0 => default,
                1 => new SctpSendOptions { Unordered = true },
                2 => new SctpSendOptions { MaxRetransmits = 0 },
                _ => new SctpSendOptions { Lifetime = TimeSpan.FromMilliseconds(50), Unordered = true },
            };
            link.A.Send((ushort)(i % 6), (uint)i, data, options, link.Now);
            if (i % 3 == 0)
            {
                link.B.Send((ushort)(i % 5), (uint)i, data, options, link.Now);
            }
        }

        link.A.ResetStreams([3]);
        link.B.ResetStreams([4]);
        link.RunUntil(() => link.A.BufferedAmount == 0 && link.B.BufferedAmount == 0 && link.A.FlightSize == 0 && link.B.FlightSize == 0
            && link.EventsA.OfType<SctpOutgoingStreamsResetEvent>().Any() && link.EventsB.OfType<SctpOutgoingStreamsResetEvent>().Any(), TimeSpan.FromMinutes(10));
        link.Loss = 0;
        link.Reorder = 0;
        link.RunUntil(() => false, TimeSpan.FromSeconds(31)); // heartbeats
        link.Tamper = null;
        Assert.That(link.A.State, Is.EqualTo(SctpAssociationState.Established));
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Established));
        return (link, toA, toB);
    }

    private static uint TagOf(List<byte[]> packets) => packets.Select(Tag).Last(t => t != 0);

    /// <summary>One hostile packet for <paramref name="target"/>, whose tag is <paramref name="tag"/>.</summary>
    private static byte[] Generate(Random r, List<byte[]> captured, uint tag, SctpAssociation target)
    {
        switch (r.Next(10))
        {
            case 0:
            {
                var p = new byte[r.Next(0, 1500)];
                r.NextBytes(p);
                if (p.Length >= 12 && r.Next(2) == 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(p, 0x13881388); // ports 5000/5000
                    BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), tag);
                    Reseal(p);
                }

                return p;
            }

            case 1:
            case 2:
            case 3:
            {
                // A real packet with a few bytes changed (header included), mostly resealed.
                var p = (byte[])captured[r.Next(captured.Count)].Clone();
                int n = 1 + r.Next(8);
                for (int i = 0; i < n; i++)
                {
                    int at = r.Next(4) == 0 ? r.Next(p.Length) : Math.Min(p.Length - 1, 12 + r.Next(Math.Max(1, Math.Min(p.Length - 12, 40))));
                    p[at] = r.Next(3) switch { 0 => (byte)r.Next(256), 1 => (byte)(p[at] ^ (1 << r.Next(8))), _ => (byte)(p[at] + r.Next(-2, 3)) };
                }

                if (r.Next(4) == 0)
                {
                    p = p.AsSpan(0, r.Next(p.Length + 1)).ToArray();
                }

                return r.Next(5) == 0 || p.Length < 12 ? p : Reseal(p);
            }

            case 4:
            {
                // Chunks of two real packets spliced together.
                var a = captured[r.Next(captured.Count)];
                var b = captured[r.Next(captured.Count)];
                var p = a.Concat(b.Skip(12)).ToArray();
                return p.Length > 65535 ? a : Reseal(p);
            }

            default:
                return Crafted(r, tag, target, captured);
        }
    }

    /// <summary>Well-formed packets with the right tag and random chunk contents.</summary>
    private static byte[] Crafted(Random r, uint tag, SctpAssociation target, List<byte[]> captured)
    {
        uint cum = target.CumulativeTsnReceived;
        uint Tsn() => r.Next(3) switch { 0 => (uint)r.NextInt64(0, 1L << 32), 1 => cum - (uint)r.Next(0, 5000), _ => cum + (uint)r.Next(-3, 70_000) };
        ushort Stream() => (ushort)(r.Next(5) == 0 ? r.Next(65536) : r.Next(12));
        int chunks = 1 + (r.Next(4) == 0 ? r.Next(5) : 0);
        bool init = false;
        var p = Build(tag, (ref SctpPacketWriter w) =>
        {
            for (int c = 0; c < chunks; c++)
            {
                switch (r.Next(12))
                {
                    case 0:
                    case 1:
                        var data = new byte[r.Next(0, 400)];
                        r.NextBytes(data);
                        w.TryAddData((SctpDataFlags)r.Next(16), Tsn(), Stream(), (ushort)r.Next(65536), (uint)r.Next(), data);
                        break;
                    case 2:
                    case 3:
                        var gaps = new SctpGapAckBlock[r.Next(0, 30)];
                        for (int i = 0; i < gaps.Length; i++)
                        {
                            gaps[i] = r.Next(2) == 0
                                ? new SctpGapAckBlock((ushort)r.Next(65536), (ushort)r.Next(65536))
                                : new SctpGapAckBlock((ushort)(1 + (i * 10)), (ushort)(5 + (i * 10)));
                        }

                        var dups = Enumerable.Range(0, r.Next(0, 5)).Select(_ => Tsn()).ToArray();
                        w.TryAddSack(r.Next(2) == 0 ? (uint)r.NextInt64(0, 1L << 32) : Tsn(), (uint)r.NextInt64(0, 1L << 32), gaps, dups);
                        break;
                    case 4:
                    case 5:
                        var skipped = Enumerable.Range(0, r.Next(0, 20)).Select(_ => new SctpSkippedStream(Stream(), (ushort)r.Next(65536))).ToArray();
                        w.TryAddForwardTsn(Tsn(), skipped);
                        break;
                    case 6:
                    case 7:
                        var streams = Enumerable.Range(0, r.Next(0, 10)).Select(_ => Stream()).ToArray();
                        uint seq = r.Next(2) == 0 ? (uint)r.NextInt64(0, 1L << 32) : cum + (uint)r.Next(-10, 10);
                        switch (r.Next(3))
                        {
                            case 0:
                                w.TryAddOutgoingResetRequest(seq, (uint)r.NextInt64(0, 1L << 32), Tsn(), streams);
                                break;
                            case 1:
                                w.TryAddIncomingResetRequest(seq, streams);
                                break;
                            default:
                                w.TryAddReconfigResponse(seq, (SctpReconfigResult)r.Next(8));
                                break;
                        }

                        break;
                    case 8:
                        if (c == 0)
                        {
                            init = true;
                            var cookie = new byte[r.Next(0, 100)];
                            r.NextBytes(cookie);
                            w.TryAddInit(r.Next(2) == 0, (uint)r.NextInt64(0, 1L << 32), (uint)r.Next(), (ushort)r.Next(65536), (ushort)r.Next(65536), (uint)r.Next(), cookie);
                        }

                        break;
                    case 9:
                        var echo = new byte[r.Next(2) == 0 ? 80 : r.Next(0, 200)];
                        r.NextBytes(echo);
                        if (echo.Length >= 4)
                        {
                            BinaryPrimitives.WriteUInt32BigEndian(echo, 0x57524331);
                        }

                        w.TryAddChunk(SctpChunkType.CookieEcho, 0, echo);
                        break;
                    case 10:
                        var hb = new byte[r.Next(0, 40)];
                        r.NextBytes(hb);
                        if (hb.Length >= 4)
                        {
                            BinaryPrimitives.WriteUInt16BigEndian(hb, 1);
                            BinaryPrimitives.WriteUInt16BigEndian(hb.AsSpan(2), (ushort)r.Next(hb.Length + 4));
                        }

                        w.TryAddChunk(r.Next(2) == 0 ? SctpChunkType.Heartbeat : SctpChunkType.HeartbeatAck, 0, hb);
                        break;
                    default:
                        var raw = new byte[r.Next(0, 64)];
                        r.NextBytes(raw);
                        w.TryAddChunk((SctpChunkType)r.Next(256), (byte)r.Next(256), raw);
                        break;
                }
            }
        }, size: 4000);
        if (init)
        {
            BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), 0);
            Reseal(p);
        }

        return p;
    }

    /// <summary>True when a packet could legitimately end or corrupt the association (a forged ending
    /// chunk, or forged DATA / FORWARD-TSN claiming TSNs the real peer has not used yet).</summary>
    private static bool Legitimately_Harmful(byte[] p, SctpAssociation target)
    {
        if (p.Length < 16)
        {
            return false;
        }

        uint cum = target.CumulativeTsnReceived;
        foreach (int o in ChunkOffsets(p))
        {
            var type = (SctpChunkType)p[o];
            if (Ending.Contains(type))
            {
                return true;
            }

            if ((type is SctpChunkType.Data or SctpChunkType.ForwardTsn) && o + 8 <= p.Length)
            {
                uint tsn = BinaryPrimitives.ReadUInt32BigEndian(p.AsSpan(o + 4));
                if (SctpAssociation.TsnLess(cum, tsn) && tsn - cum < (1u << 24))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void Drain(SctpAssociation side, TimeSpan now)
    {
        for (int i = 0; i < 100 && side.PollTransmit(Buffer, now) > 0; i++)
        {
        }

        while (side.TryReceive(out var m))
        {
            m.Dispose();
        }

        while (side.PollEvent(out _))
        {
        }
    }

    [Test]
    public void HostileInput_NeverThrowsNorHangs()
    {
        // RFC 9260 §8.5 / §3.2 (unknown chunks) and DESIGN.md: input is dropped or handled, never thrown.
        var random = new Random(2024);
        var watch = Stopwatch.StartNew();
        int sessions = 0;
        long handled = 0;
        double slowest = 0;
        var (link, toA, toB) = Session(31, verifyB: false);
        var toAShutdown = new List<byte[]>();
        var toBShutdown = new List<byte[]>();
        {
            // Packets of a shutdown and an abort, to mutate as well.
            var s = new SctpTestLink(77);
            s.Connect();
            s.Tamper = (b, p) => { (b ? toBShutdown : toAShutdown).Add((byte[])p.Clone()); return p; };
            s.A.Shutdown(s.Now);
            s.RunUntil(() => s.A.State == SctpAssociationState.Closed && s.B.State == SctpAssociationState.Closed);
            var s2 = new SctpTestLink(78);
            s2.Connect();
            s2.Tamper = s.Tamper;
            s2.B.Abort("fuzz");
            s2.RunUntil(() => s2.A.State == SctpAssociationState.Closed);
        }

        // A fixed count, not a time budget: how fast a loaded CI machine runs is no test result.
        for (int i = 0; i < 100_000; i++)
        {
            if (link.A.State == SctpAssociationState.Closed || link.B.State == SctpAssociationState.Closed)
            {
                (link, toA, toB) = Session(31 + (++sessions * 10), verifyB: false);
            }

            bool hitB = random.Next(2) == 0;
            var target = hitB ? link.B : link.A;
            var captured = hitB ? toB : toA;
            if (random.Next(50) == 0)
            {
                captured = hitB ? toBShutdown : toAShutdown;
            }

            byte[] packet = Generate(random, captured, TagOf(hitB ? toB : toA), target);
            var now = link.Now + TimeSpan.FromMilliseconds(random.Next(0, 3));
            long start = watch.ElapsedTicks;
            target.HandlePacket(packet, now);
            if (target.NextDeadline is { } d && d <= now && random.Next(4) == 0)
            {
                target.HandleTimeout(now);
            }

            Drain(target, now);
            handled++;
            slowest = Math.Max(slowest, (watch.ElapsedTicks - start) * 1000.0 / Stopwatch.Frequency);
            if (i % 2000 == 1999)
            {
                link.RunUntil(() => false, TimeSpan.FromSeconds(2));
            }
        }

        TestContext.Out.WriteLine($"{handled} packets, {sessions} extra sessions, {watch.Elapsed}, slowest {slowest:F2} ms");
    }

    [Test]
    public void HostileButNotEndingInput_LeavesTheAssociationWorking([Values(true, false)] bool verifyChecksumOnB)
    {
        // RFC 9260 §8.5: what is dropped must not disturb; what is accepted must not break the association.
        var random = new Random(verifyChecksumOnB ? 5 : 6);
        var (link, toA, toB) = Session(41, verifyChecksumOnB);
        uint tagA = TagOf(toA), tagB = TagOf(toB);
        var watch = Stopwatch.StartNew();
        int fed = 0;
        for (int i = 0; i < 100_000 && watch.Elapsed < TimeSpan.FromSeconds(4); i++)
        {
            bool hitB = random.Next(2) == 0;
            var target = hitB ? link.B : link.A;
            byte[] packet = Generate(random, hitB ? toB : toA, hitB ? tagB : tagA, target);
            if (Legitimately_Harmful(packet, target))
            {
                continue;
            }

            target.HandlePacket(packet, link.Now);
            Drain(target, link.Now);
            fed++;
        }

        TestContext.Out.WriteLine($"{fed} packets fed in {watch.Elapsed}");
        Assert.That(link.A.State, Is.EqualTo(SctpAssociationState.Established));
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Established));

        // Let the pair settle (answer what the fuzz provoked), then a fresh message each way.
        link.ReceivedByA.Clear();
        link.ReceivedByB.Clear();
        link.RunUntil(() => false, TimeSpan.FromSeconds(5));
        link.ReceivedByA.Clear();
        link.ReceivedByB.Clear();
        link.A.Send(CheckStream, 424242, "fresh from A"u8, default, link.Now);
        link.B.Send(CheckStream, 434343, "fresh from B"u8, default, link.Now);
        link.A.Send(CheckStream + 1, 424243, new byte[5000], new SctpSendOptions { Unordered = true }, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Any(m => m.Ppid == 424242) && link.ReceivedByA.Any(m => m.Ppid == 434343)
            && link.ReceivedByB.Any(m => m.Ppid == 424243), TimeSpan.FromMinutes(10)), Is.True,
            $"A: {link.A.DescribeState()}\nB: {link.B.DescribeState()}");
        Assert.That(link.A.State, Is.EqualTo(SctpAssociationState.Established));
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Established));
    }

    [Test]
    public void OutOfDateForwardTsn_DoesNotSkipStreamSequenceNumbers()
    {
        // RFC 3758 §3.6: a FORWARD TSN at or behind the cumulative TSN is out of date and is ignored
        // (only a SACK answers it); its stream entries must not move an ordered stream forward.
        var link = new SctpTestLink(3);
        uint tagB = 0;
        link.Tamper = (b, p) =>
        {
            if (b)
            {
                tagB = Tag(p);
            }

            return p;
        };
        link.Connect();
        link.A.Send(1, 1, "first"u8, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 1), Is.True);
        uint cum = link.B.CumulativeTsnReceived;
        var stale = Build(tagB, (ref SctpPacketWriter w) => w.TryAddForwardTsn(cum, [new SctpSkippedStream(1, 5)]));
        link.B.HandlePacket(stale, link.Now);
        link.A.Send(1, 2, "second"u8, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 2, TimeSpan.FromMinutes(1)), Is.True,
            "a reliable ordered message was acknowledged and silently dropped as 'stale': " + link.B.DescribeState());
    }

    [Test]
    public void ForwardTsnWithManyStreamEntries_IsCheapToProcess()
    {
        // RFC 3758 §3.6 / DESIGN.md: one packet must not cost seconds of CPU. The stream entries
        // are applied by stepping the SSN one at a time, up to 32767 steps per entry.
        var link = new SctpTestLink(3);
        uint tagB = 0;
        link.Tamper = (b, p) =>
        {
            if (b)
            {
                tagB = Tag(p);
            }

            return p;
        };
        link.Connect();
        link.A.Send(1, 1, "x"u8, default, link.Now);
        Assert.That(link.RunUntil(() => link.ReceivedByB.Count == 1), Is.True);
        var entries = Enumerable.Range(0, 16000).Select(i => new SctpSkippedStream((ushort)i, 32766)).ToArray();
        var packet = Build(tagB, (ref SctpPacketWriter w) => w.TryAddForwardTsn(link.B.CumulativeTsnReceived + 1, entries));
        var watch = Stopwatch.StartNew();
        link.B.HandlePacket(packet, link.Now);
        watch.Stop();
        TestContext.Out.WriteLine($"one FORWARD-TSN with {entries.Length} entries: {watch.Elapsed.TotalMilliseconds:F0} ms");
        // Stepping every SSN would be 16000 × 32766 ≈ 5·10^8 steps, seconds of CPU; the bound only
        // separates that from linear work, with room for a loaded CI machine (50 ms failed there).
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public void IncomingResetRequest_FromPeerThatDidNotAnnounceReconfig_DoesNotThrow()
    {
        // RFC 6525 §5.2.3 and DESIGN.md: a request we cannot honour is answered (Denied), never thrown.
        var link = new SctpTestLink(3);
        uint tagB = 0;
        link.Tamper = (b, p) =>
        {
            if (b && Has(p, SctpChunkType.Init))
            {
                // Take RE-CONFIG (130) out of A's Supported Extensions.
                var q = (byte[])p.Clone();
                int at = Array.IndexOf(q, (byte)SctpChunkType.ReConfig, SctpPacketReader.HeaderLength + 20);
                q[at] = 0;
                return Reseal(q);
            }

            if (b)
            {
                tagB = Tag(p);
            }

            return p;
        };
        link.Connect();
        Assert.That(link.B.PeerSupportsStreamReset, Is.False);
        var request = Build(tagB, (ref SctpPacketWriter w) => w.TryAddIncomingResetRequest(12345, [1, 2]));
        Assert.That(() => link.B.HandlePacket(request, link.Now), Throws.Nothing);
        Assert.That(link.B.State, Is.EqualTo(SctpAssociationState.Established));
    }
}
