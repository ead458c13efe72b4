using System.Buffers.Binary;
using WebRtc.Client.Srtp;

namespace WebRtc.Client.Tests.Srtp;

public class SrtpContextTests
{
    private static readonly SrtpProfile[] Profiles =
        [SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AesCm128HmacSha1_32, SrtpProfile.AeadAes128Gcm, SrtpProfile.AeadAes256Gcm];

    private static (SrtpContext Tx, SrtpContext Rx) Pair(SrtpProfile profile, int maxStreams = SrtpContext.DefaultMaxStreams)
    {
        byte[] key = new byte[profile.GetKeyLength()];
        byte[] salt = new byte[profile.GetSaltLength()];
        new Random(7).NextBytes(key);
        new Random(8).NextBytes(salt);
        return (new SrtpContext(profile, key, salt, maxStreams), new SrtpContext(profile, key, salt, maxStreams));
    }

    private static int WriteRtp(Span<byte> buffer, Random random, ushort seq, uint ssrc, int csrcs, int extensionWords, int payload)
    {
        buffer[0] = (byte)(0x80 | (extensionWords >= 0 ? 0x10 : 0) | csrcs);
        buffer[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.Slice(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(4), 12345);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(8), ssrc);
        int offset = 12;
        for (int i = 0; i < csrcs; i++, offset += 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(offset), (uint)random.Next());
        }

        if (extensionWords >= 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer.Slice(offset), 0xBEDE);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.Slice(offset + 2), (ushort)extensionWords);
            offset += 4;
            random.NextBytes(buffer.Slice(offset, extensionWords * 4));
            offset += extensionWords * 4;
        }

        random.NextBytes(buffer.Slice(offset, payload));
        return offset + payload;
    }

    private static int Rtp(Span<byte> buffer, ushort seq, uint ssrc = 0x11223344, int payload = 100) =>
        WriteRtp(buffer, new Random(seq), seq, ssrc, 0, -1, payload);

    private static int Rtcp(Span<byte> buffer, uint ssrc, int words)
    {
        buffer[0] = 0x80;
        buffer[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.Slice(2), (ushort)words);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Slice(4), ssrc);
        new Random(words).NextBytes(buffer.Slice(8, words * 4 - 4));
        return 4 + words * 4;
    }

    [TestCaseSource(nameof(Profiles))]
    public void Rtp_round_trips_with_csrcs_and_extensions(SrtpProfile profile)
    {
        // RFC 3711 §3.1 / RFC 7714 §8: header stays clear, payload encrypted, tag appended.
        var (tx, rx) = Pair(profile);
        using (tx)
        using (rx)
        {
            var random = new Random(1);
            byte[] buffer = new byte[1600];
            for (int i = 0; i < 500; i++)
            {
                int length = WriteRtp(buffer, random, (ushort)i, 0xCAFE, random.Next(16), random.Next(-1, 10), random.Next(0, 1300));
                byte[] plain = buffer.AsSpan(0, length).ToArray();
                Assert.That(tx.TryProtectRtp(buffer, length, out int n), Is.True);
                Assert.That(n, Is.EqualTo(length + profile.GetSrtpAuthTagLength()));
                Assert.That(rx.TryUnprotectRtp(buffer, n, out int m, out var error), Is.True, error.ToString());
                Assert.That(buffer.AsSpan(0, m).ToArray(), Is.EqualTo(plain));
            }
        }
    }

    [TestCaseSource(nameof(Profiles))]
    public void Rtcp_round_trips(SrtpProfile profile)
    {
        // RFC 3711 §3.4: SRTCP with E flag and 31-bit index.
        var (tx, rx) = Pair(profile);
        using (tx)
        using (rx)
        {
            byte[] buffer = new byte[1600];
            for (int words = 2; words < 300; words += 7)
            {
                int length = Rtcp(buffer, 0xAB, words);
                byte[] plain = buffer.AsSpan(0, length).ToArray();
                Assert.That(tx.TryProtectRtcp(buffer, length, out int n), Is.True);
                Assert.That(n, Is.EqualTo(length + tx.RtcpOverhead));
                Assert.That(buffer.AsSpan(8, length - 8).ToArray(), Is.Not.EqualTo(plain[8..]));
                byte[] wire = buffer.AsSpan(0, n).ToArray();
                Assert.That(rx.TryUnprotectRtcp(buffer, n, out int m, out var error), Is.True, error.ToString());
                Assert.That(buffer.AsSpan(0, m).ToArray(), Is.EqualTo(plain));
                Assert.That(rx.TryUnprotectRtcp(wire, wire.Length, out _, out error), Is.False);
                Assert.That(error, Is.EqualTo(SrtpError.Replayed));
            }
        }
    }

    [TestCaseSource(nameof(Profiles))]
    public void Roc_rolls_over_on_both_sides(SrtpProfile profile)
    {
        // RFC 3711 §3.3.1: ROC increments when SEQ wraps 65535 -> 0.
        var (tx, rx) = Pair(profile);
        using (tx)
        using (rx)
        {
            byte[] buffer = new byte[256];
            for (int i = 65500; i < 65536 + 40; i++)
            {
                int length = Rtp(buffer, (ushort)i);
                Assert.That(tx.TryProtectRtp(buffer, length, out int n), Is.True);
                Assert.That(rx.TryUnprotectRtp(buffer, n, out _, out var error), Is.True, $"{i}: {error}");
            }

            Assert.That(tx.TryGetSendRolloverCounter(0x11223344, out uint txRoc) && txRoc == 1, Is.True);
            Assert.That(rx.TryGetReceiveRolloverCounter(0x11223344, out uint rxRoc) && rxRoc == 1, Is.True);

            // A late packet from before the wrap is still accepted with ROC 0.
            (var tx2, var rx2) = Pair(profile);
            using (tx2)
            using (rx2)
            {
                byte[] late = new byte[256];
                int ll = Rtp(late, 65534);
                Assert.That(tx2.TryProtectRtp(late, ll, out int ln), Is.True);
                for (int i = 65535; i < 65536 + 5; i++)
                {
                    int length = Rtp(buffer, (ushort)i);
                    Assert.That(tx2.TryProtectRtp(buffer, length, out int n), Is.True);
                    Assert.That(rx2.TryUnprotectRtp(buffer, n, out _), Is.True);
                }

                Assert.That(rx2.TryUnprotectRtp(late, ln, out _, out var error), Is.True, error.ToString());
            }
        }
    }

    [TestCaseSource(nameof(Profiles))]
    public void Replay_window(SrtpProfile profile)
    {
        // RFC 3711 §3.3.2: out-of-order accepted once, replays and too-old packets refused.
        var (tx, rx) = Pair(profile);
        using (tx)
        using (rx)
        {
            var wire = new List<byte[]>();
            byte[] buffer = new byte[256];
            for (int i = 0; i < 2100; i++)
            {
                int length = Rtp(buffer, (ushort)i);
                Assert.That(tx.TryProtectRtp(buffer, length, out int n), Is.True);
                wire.Add(buffer.AsSpan(0, n).ToArray());
            }

            bool Deliver(int i, out SrtpError error)
            {
                byte[] copy = (byte[])wire[i].Clone();
                return rx.TryUnprotectRtp(copy, copy.Length, out _, out error);
            }

            Assert.That(Deliver(10, out _), Is.True);
            Assert.That(Deliver(5, out _), Is.True, "out of order within the window");
            Assert.That(Deliver(5, out var e), Is.False);
            Assert.That(e, Is.EqualTo(SrtpError.Replayed));
            Assert.That(Deliver(10, out e), Is.False);
            Assert.That(e, Is.EqualTo(SrtpError.Replayed));
            Assert.That(Deliver(2000, out _), Is.True);
            Assert.That(Deliver(2000 - SrtpReplayWindow.Size + 1, out _), Is.True, "oldest index inside the window");
            Assert.That(Deliver(2000 - SrtpReplayWindow.Size, out e), Is.False);
            Assert.That(e, Is.EqualTo(SrtpError.Replayed), "older than the window");
            Assert.That(Deliver(1500, out _), Is.True);
            Assert.That(Deliver(1500, out _), Is.False);
        }
    }

    [TestCaseSource(nameof(Profiles))]
    public void Tampering_is_refused(SrtpProfile profile)
    {
        // RFC 3711 §3.4 / RFC 7714 §7: any change to header, payload or tag fails authentication.
        var (tx, rx) = Pair(profile);
        using (tx)
        using (rx)
        {
            byte[] buffer = new byte[256];
            int length = Rtp(buffer, 1);
            Assert.That(tx.TryProtectRtp(buffer, length, out int n), Is.True);
            byte[] wire = buffer.AsSpan(0, n).ToArray();
            foreach (int position in new[] { 1, 4, 11, 20, length - 1, n - 1 })
            {
                byte[] copy = (byte[])wire.Clone();
                copy[position] ^= 0x01;
                Assert.That(rx.TryUnprotectRtp(copy, n, out _, out var error), Is.False, $"byte {position}");
                Assert.That(error, Is.EqualTo(SrtpError.AuthenticationFailed), $"byte {position}");
            }

            Assert.That(rx.TryUnprotectRtp(wire, n, out _), Is.True, "the untouched packet still verifies");

            int rl = Rtcp(buffer, 9, 10);
            Assert.That(tx.TryProtectRtcp(buffer, rl, out int rn), Is.True);
            buffer[20] ^= 0x80;
            Assert.That(rx.TryUnprotectRtcp(buffer, rn, out _, out var rerror), Is.False);
            Assert.That(rerror, Is.EqualTo(SrtpError.AuthenticationFailed));
        }
    }

    [TestCaseSource(nameof(Profiles))]
    public void Garbage_never_throws(SrtpProfile profile)
    {
        // RFC 3711 §3.3: unprotect drops malformed input; the receive loop never sees an exception.
        var (tx, rx) = Pair(profile);
        using (tx)
        using (rx)
        {
            var random = new Random(42);
            byte[] valid = new byte[300];
            int length = Rtp(valid, 7);
            Assert.That(tx.TryProtectRtp(valid, length, out int n), Is.True);
            int rtcpLength = Rtcp(valid.AsSpan(150), 3, 8);
            Assert.That(tx.TryProtectRtcp(valid.AsSpan(150), rtcpLength, out int rtcpN), Is.True);
            byte[] buffer = new byte[300];
            int accepted = 0;
            for (int i = 0; i < 100_000; i++)
            {
                int size;
                if (i % 2 == 0)
                {
                    size = random.Next(0, 80);
                    random.NextBytes(buffer.AsSpan(0, size));
                    if (i % 4 == 0 && size > 0)
                    {
                        buffer[0] = (byte)(0x80 | (buffer[0] & 0x3F));
                    }
                }
                else
                {
                    bool rtcp = i % 3 == 0;
                    size = rtcp ? rtcpN : n;
                    valid.AsSpan(rtcp ? 150 : 0, size).CopyTo(buffer);
                    buffer[random.Next(size)] ^= (byte)(1 << random.Next(8));
                    size = random.Next(4) == 0 ? random.Next(size + 1) : size;
                }

                if (rx.TryUnprotectRtp(buffer, size, out _) | rx.TryUnprotectRtcp(buffer, size, out _))
                {
                    accepted++;
                }
            }

            Assert.That(accepted, Is.Zero);
            Assert.That(rx.TryUnprotectRtp(buffer, buffer.Length + 1, out _, out var error), Is.False);
            Assert.That(error, Is.EqualTo(SrtpError.TooShort));
        }
    }

    [Test]
    public void Stream_cap_is_enforced()
    {
        // RFC 3711 §3.2.3: per-SSRC state, bounded so hostile SSRCs cannot grow memory.
        var (tx, rx) = Pair(SrtpProfile.AesCm128HmacSha1_80, maxStreams: 4);
        using (tx)
        using (rx)
        {
            byte[] buffer = new byte[256];
            for (uint ssrc = 1; ssrc <= 4; ssrc++)
            {
                int length = Rtp(buffer, 1, ssrc);
                Assert.That(tx.TryProtectRtp(buffer, length, out int n), Is.True);
                Assert.That(rx.TryUnprotectRtp(buffer, n, out _), Is.True);
            }

            int l5 = Rtp(buffer, 1, 5);
            Assert.That(tx.TryProtectRtp(buffer, l5, out _, out var error), Is.False);
            Assert.That(error, Is.EqualTo(SrtpError.TooManyStreams));
            Assert.That(rx.StreamCount, Is.EqualTo(4));

            using var other = new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, new byte[16], new byte[14]);
            Assert.That(other.TryProtectRtp(buffer, l5, out int n5), Is.True);
            Assert.That(rx.TryUnprotectRtp(buffer, n5, out _, out error), Is.False);
            Assert.That(error, Is.EqualTo(SrtpError.TooManyStreams));
        }
    }

    [Test]
    public void Forged_packets_do_not_create_streams()
    {
        // RFC 3711 §3.3: state is updated only after authentication.
        var (_, rx) = Pair(SrtpProfile.AeadAes128Gcm, maxStreams: 2);
        using (rx)
        {
            byte[] buffer = new byte[256];
            for (uint ssrc = 1; ssrc < 100; ssrc++)
            {
                int length = Rtp(buffer, 1, ssrc);
                Assert.That(rx.TryUnprotectRtp(buffer, length + 16, out _), Is.False);
            }

            Assert.That(rx.StreamCount, Is.Zero);
        }
    }

    [Test]
    public void Short_buffers_are_reported()
    {
        // RFC 3711 §3.1: the tag needs room after the packet.
        using var tx = new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, new byte[16], new byte[14]);
        byte[] buffer = new byte[112];
        int length = Rtp(buffer, 1);
        Assert.That(tx.TryProtectRtp(buffer, length, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(SrtpError.BufferTooSmall));
        buffer[0] = 0x40;
        Assert.That(tx.TryProtectRtp(buffer, 50, out _, out error), Is.False);
        Assert.That(error, Is.EqualTo(SrtpError.BadHeader));
    }

    [Test]
    public void Rtp_header_length_is_bounds_checked()
    {
        // RFC 3550 §5.3.1: fixed header, CSRCs, extension header and words.
        byte[] p = new byte[40];
        p[0] = 0x92; // V=2, X=1, CC=2
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(22), 2);
        Assert.That(RtpHeaderReader.TryGetHeaderLength(p, out int h) && h == 12 + 8 + 4 + 8, Is.True);
        Assert.That(RtpHeaderReader.TryGetHeaderLength(p.AsSpan(0, 31), out _), Is.False);
        Assert.That(RtpHeaderReader.TryGetHeaderLength(p.AsSpan(0, 22), out _), Is.False);
        p[0] = 0x40;
        Assert.That(RtpHeaderReader.TryGetHeaderLength(p, out _), Is.False);
    }

    [TestCaseSource(nameof(Profiles))]
    public void Hot_path_does_not_allocate(SrtpProfile profile)
    {
        // DESIGN.md hot-path rule on RFC 3711 protect/unprotect: 0 bytes per packet after warm-up.
        var (tx, rx) = Pair(profile);
        using (tx)
        using (rx)
        {
            byte[] buffer = new byte[1400];
            byte[] template = new byte[1400];
            int length = Rtp(template, 0, payload: 1200);
            void Run(int from, int count)
            {
                for (int i = from; i < from + count; i++)
                {
                    template.AsSpan(0, length).CopyTo(buffer);
                    BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)i);
                    tx.TryProtectRtp(buffer, length, out int n);
                    rx.TryUnprotectRtp(buffer, n, out _);
                    buffer[0] = 0x80;
                    buffer[1] = 200;
                    tx.TryProtectRtcp(buffer, 100, out n);
                    rx.TryUnprotectRtcp(buffer, n, out _);
                }
            }

            Run(0, 100);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Run(100, 10_000);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.That(allocated, Is.Zero);
        }
    }

    [TestCaseSource(nameof(Profiles))]
    public void Srtcp_out_of_order_is_accepted_once(SrtpProfile profile)
    {
        // RFC 3711 §3.4: the SRTCP index drives the replay check.
        var (tx, rx) = Pair(profile);
        using (tx)
        using (rx)
        {
            var wire = new List<byte[]>();
            byte[] buffer = new byte[256];
            for (int i = 0; i < 3; i++)
            {
                int length = Rtcp(buffer, 0x77, 6);
                Assert.That(tx.TryProtectRtcp(buffer, length, out int n), Is.True);
                wire.Add(buffer.AsSpan(0, n).ToArray());
            }

            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(wire[2].AsSpan(6 * 4 + 4 + (profile.IsAead() ? 16 : 0))), Is.EqualTo(0x8000_0002u), "E flag and index 2");
            Assert.That(rx.TryUnprotectRtcp((byte[])wire[2].Clone(), wire[2].Length, out _), Is.True);
            Assert.That(rx.TryUnprotectRtcp((byte[])wire[0].Clone(), wire[0].Length, out _), Is.True);
            Assert.That(rx.TryUnprotectRtcp((byte[])wire[0].Clone(), wire[0].Length, out _, out var error), Is.False);
            Assert.That(error, Is.EqualTo(SrtpError.Replayed));
            Assert.That(rx.TryUnprotectRtcp((byte[])wire[1].Clone(), wire[1].Length, out _), Is.True);
        }
    }
}
