using System.Net;
using WebRtc.Client.Stun;
using WebRtc.Client.Turn;
using static WebRtc.Client.Tests.Turn.ScriptedTurnServer;

namespace WebRtc.Client.Tests.Turn;

/// <summary>Hostile server input never throws out of the TURN client (DESIGN.md: network input never throws).</summary>
public class TurnFuzzTests
{
    private const int Iterations = 60_000;
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("203.0.113.5"), 5000);
    private static readonly IPEndPoint PeerV6 = new(IPAddress.Parse("2001:db8::5"), 5000);

    [TestCase(TurnTransportProtocol.Udp)]
    [TestCase(TurnTransportProtocol.Tcp)]
    public void RandomAndMutatedServerMessages_NeverThrow(TurnTransportProtocol transport)
    {
        var random = new Random(8656);
        byte[] input = [];
        int accepted = 0, unwrapped = 0, restarts = 0;
        try
        {
            var (server, seeds) = Fresh(transport);
            var now = TimeSpan.FromSeconds(1);
            for (int i = 0; i < Iterations; i++)
            {
                input = random.Next(10) == 0 ? RandomBytes(random) : Mutate(random, seeds[random.Next(seeds.Count)]);
                now += TimeSpan.FromMilliseconds(random.Next(0, 2000));
                if (server.Client.TryUnwrap(input, out var peer, out var data))
                {
                    unwrapped++;
                    Assert.That(peer, Is.Not.Null);
                    Assert.That(data.Length, Is.LessThanOrEqualTo(input.Length));
                }
                else if (server.Client.HandleServerMessage(input, now))
                {
                    accepted++;
                }

                _ = TurnClient.GetStreamFrameLength(input);
                server.Client.HandleTimeout(now);
                _ = server.Client.NextDeadline;
                while (server.Client.PollEvent(out _))
                {
                }

                if (server.Client.State is TurnClientState.Failed or TurnClientState.Released || i % 5000 == 4999)
                {
                    // Start over so most input meets a live allocation with transactions in flight.
                    (server, seeds) = Fresh(transport);
                    now = TimeSpan.FromSeconds(1);
                    restarts++;
                }
            }
        }
        catch (Exception e)
        {
            Assert.Fail($"Threw on input {Convert.ToHexString(input)}: {e}");
        }

        TestContext.Out.WriteLine($"{accepted} accepted, {unwrapped} unwrapped, {restarts} restarts");
        Assert.That(unwrapped, Is.GreaterThan(Iterations / 100), "some mutations stay valid data");
        Assert.That(accepted, Is.Positive, "some responses stay valid");
    }

    /// <summary>An allocated client with peers and requests in flight, and valid messages for it to mutate.</summary>
    private static (ScriptedTurnServer Server, List<byte[]> Seeds) Fresh(TurnTransportProtocol transport)
    {
        var server = new ScriptedTurnServer(transport);
        server.Client.Allocate(TimeSpan.Zero);
        var seeds = new List<byte[]> { Challenge(server.Last), AllocateSuccess(server.Last) };
        server.Deliver(Challenge(server.Last), TimeSpan.Zero);
        seeds.Add(AllocateSuccess(server.Last));
        seeds.Add(Error(server.Last, 486, "Allocation Quota Reached", Key()));
        server.Deliver(AllocateSuccess(server.Last), TimeSpan.Zero);
        server.Client.AddPeer(Peer, TimeSpan.Zero);
        server.Client.AddPeer(PeerV6, TimeSpan.Zero);
        server.Client.HandleTimeout(TimeSpan.FromSeconds(540));
        foreach (var request in server.Sent.Skip(2))
        {
            seeds.Add(Success(request));
            seeds.Add(LifetimeSuccess(request, 600));
            seeds.Add(Challenge(request, 438, "nonce-two"));
            seeds.Add(Error(request, 403, "Forbidden", Key()));
        }

        foreach (var (peer, channel) in new[] { (Peer, (byte)0x00), (PeerV6, (byte)0x01) })
        {
            var buffer = new byte[128];
            var writer = new StunWriter(buffer, new StunMessageType(StunMethod.Data, StunClass.Indication), StunTransactionId.NewRandom());
            writer.AddXorAddress(StunAttributeType.XorPeerAddress, peer);
            writer.AddAttribute(StunAttributeType.Data, [1, 2, 3, 4, 5]);
            writer.AddFingerprint();
            seeds.Add(writer.Written.ToArray());
            seeds.Add([0x40, channel, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0]);
            seeds.Add([0x40, channel, 0x00, 0x02, 1, 2]);
        }

        return (server, seeds);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        if (bytes.Length > 0 && random.Next(2) == 0)
        {
            bytes[0] = (byte)(0x40 | random.Next(0x10));
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        byte[] data = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0:
                // Unchanged: valid input must stay handled too.
                break;
            case 1:
                for (int n = random.Next(1, 4); n > 0 && data.Length > 0; n--)
                {
                    data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 2:
                data = data[..random.Next(data.Length + 1)];
                break;
            case 3:
                if (data.Length >= 4)
                {
                    // A hostile length field.
                    data[2] = (byte)random.Next(256);
                    data[3] = (byte)random.Next(256);
                }

                break;
            case 4:
                var longer = new byte[data.Length + random.Next(1, 40)];
                data.CopyTo(longer, 0);
                random.NextBytes(longer.AsSpan(data.Length));
                data = longer;
                break;
            default:
                if (data.Length > 24)
                {
                    // Rewrite an attribute header inside the message.
                    int at = 20 + (random.Next((data.Length - 20) / 4) * 4);
                    data[at] = (byte)random.Next(256);
                    data[Math.Min(at + 1, data.Length - 1)] = (byte)random.Next(256);
                    if (at + 3 < data.Length)
                    {
                        data[at + 3] = (byte)random.Next(256);
                    }
                }

                break;
        }

        return data;
    }
}
