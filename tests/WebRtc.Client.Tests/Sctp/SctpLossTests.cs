using WebRtc.Client.Sctp;

namespace WebRtc.Client.Tests.Sctp;

/// <summary>
/// Many messages over a link that drops, duplicates, reorders and delays, in virtual time.
/// Reliable streams must deliver every byte exactly once (in order when ordered); partially
/// reliable streams may lose messages but never deliver a corrupt or duplicate one.
/// </summary>
public class SctpLossTests
{
    private const ushort OrderedStream = 1;
    private const ushort UnorderedStream = 2;
    private const ushort RetransmitLimitedStream = 3;
    private const ushort LifetimeLimitedStream = 4;

    /// <summary>Sizes spread log-uniformly over 1 B .. 256 KiB, so both ends of the range are well covered.</summary>
    private static int RandomSize(Random random) => (int)Math.Min(256 * 1024, Math.Exp(random.NextDouble() * Math.Log(256 * 1024)));

    private static byte[] Payload(int index, int size)
    {
        var data = new byte[size];
        new Random(index * 7919).NextBytes(data);
        return data;
    }

    [TestCase(1, 0.10, 0.02, 0.05)]
    [TestCase(2, 0.05, 0.05, 0.10)]
    [TestCase(3, 0.0, 0.0, 0.0)]
    public void TenThousandMessages_OverLossyLink(int seed, double loss, double duplicate, double reorder)
    {
        var link = new SctpTestLink(seed)
        {
            Delay = TimeSpan.FromMilliseconds(10),
            Jitter = TimeSpan.FromMilliseconds(1),
        };
        link.Connect();
        link.Loss = loss;
        link.Duplicate = duplicate;
        link.Reorder = reorder;

        var random = new Random(seed);
        const int total = 10_000;
        var sizes = new int[total];
        var streams = new ushort[total];
        int sent = 0;
        long expectedBytes = 0;

        // Keep about 2 MiB queued so the sender is never idle and never unbounded.
        bool Feed()
        {
            while (sent < total && link.A.BufferedAmount < 2 * 1024 * 1024)
            {
                int i = sent++;
                sizes[i] = i == 0 ? 256 * 1024 : i == 1 ? 1 : RandomSize(random);
                streams[i] = (ushort)(1 + (i % 4));
                var options = streams[i] switch
                {
                    UnorderedStream => new SctpSendOptions { Unordered = true },
                    RetransmitLimitedStream => new SctpSendOptions { MaxRetransmits = 1 },
                    LifetimeLimitedStream => new SctpSendOptions { Unordered = true, Lifetime = TimeSpan.FromSeconds(3) },
                    _ => default,
                };
                if (streams[i] is OrderedStream or UnorderedStream)
                {
                    expectedBytes += sizes[i];
                }

                link.A.Send(streams[i], (uint)i, Payload(i, sizes[i]), options, link.Now);
            }

            return sent == total;
        }

        long reliableBytes = 0;
        int reliableCount = 0;
        bool Done()
        {
            Feed();
            reliableBytes = 0;
            reliableCount = 0;
            foreach (var m in link.ReceivedByB)
            {
                if (m.Stream is OrderedStream or UnorderedStream)
                {
                    reliableBytes += m.Data.Length;
                    reliableCount++;
                }
            }

            return sent == total && reliableCount == total / 2 && link.A.BufferedAmount == 0 && link.A.FlightSize == 0;
        }

        Assert.That(link.RunUntil(Done, TimeSpan.FromHours(2)), Is.True,
            $"sent {sent}, reliable received {reliableCount}/{total / 2}, now {link.Now}, cwnd {link.A.CongestionWindow}, flight {link.A.FlightSize}");
        Assert.That(reliableBytes, Is.EqualTo(expectedBytes));

        var seen = new HashSet<uint>();
        var lastOrdered = new Dictionary<ushort, long> { [OrderedStream] = -1, [RetransmitLimitedStream] = -1 };
        int partialDelivered = 0;
        foreach (var m in link.ReceivedByB)
        {
            int i = (int)m.Ppid;
            Assert.That(seen.Add(m.Ppid), Is.True, $"message {i} delivered twice");
            Assert.That(m.Stream, Is.EqualTo(streams[i]));
            Assert.That(m.Data, Is.EqualTo(Payload(i, sizes[i])), $"message {i} corrupted");
            if (lastOrdered.TryGetValue(m.Stream, out long last))
            {
                Assert.That(i, Is.GreaterThan(last), $"stream {m.Stream} out of order");
                lastOrdered[m.Stream] = i;
            }

            if (m.Stream is RetransmitLimitedStream or LifetimeLimitedStream)
            {
                partialDelivered++;
            }
        }

        TestContext.Out.WriteLine($"virtual time {link.Now}, packets {link.PacketsCarried}, retransmissions {link.A.Statistics.Retransmissions}, " +
            $"fast {link.A.Statistics.FastRetransmits}, T3 {link.A.Statistics.T3Expirations}, abandoned {link.A.Statistics.MessagesAbandoned}, partial delivered {partialDelivered}/{total / 2}");
        if (loss == 0)
        {
            Assert.That(partialDelivered, Is.EqualTo(total / 2), "without loss nothing may be abandoned");
        }
    }
}
