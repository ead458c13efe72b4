using System.Diagnostics;
using System.Net;
using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.Net;

[TestFixture]
public class MdnsMessageTests
{
    private const string Name = "1f4712db-ea17-4bcf-a596-105139dfd8bf.local";

    private static MdnsMessage SampleResponse() => new()
    {
        Id = 0x1234,
        Flags = MdnsMessage.FlagResponse | MdnsMessage.FlagAuthoritative,
        Questions = { new MdnsQuestion(Name, MdnsMessage.TypeA, MdnsMessage.ClassIn) },
        Answers =
        {
            new MdnsRecord(Name, MdnsMessage.TypeA, MdnsMessage.ClassIn | MdnsMessage.CacheFlushBit, 120, [192, 0, 2, 7]),
        },
        Authorities = { new MdnsRecord("other.local", 16, MdnsMessage.ClassIn, 5, "\u0003abc"u8.ToArray()) },
        Additionals =
        {
            new MdnsRecord(Name, MdnsMessage.TypeAaaa, MdnsMessage.ClassIn, 120, IPAddress.Parse("2001:db8::7").GetAddressBytes()),
        },
    };

    [Test]
    public void Query_RoundTrips()
    {
        var query = MdnsMessage.CreateQuery(Name, unicastResponse: true, MdnsMessage.TypeA, MdnsMessage.TypeAaaa);
        byte[] wire = query.Encode();

        Assert.That(wire[..12], Is.EqualTo(new byte[] { 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0 }));
        Assert.That(MdnsMessage.TryParse(wire, out var parsed), Is.True);
        Assert.That(parsed!.IsResponse, Is.False);
        Assert.That(parsed.Questions, Is.EqualTo(new[]
        {
            new MdnsQuestion(Name, MdnsMessage.TypeA, MdnsMessage.ClassIn | MdnsMessage.UnicastResponseBit),
            new MdnsQuestion(Name, MdnsMessage.TypeAaaa, MdnsMessage.ClassIn | MdnsMessage.UnicastResponseBit),
        }));
        Assert.That(parsed.Answers, Is.Empty);
    }

    [Test]
    public void Response_RoundTrips()
    {
        var original = SampleResponse();
        Assert.That(MdnsMessage.TryParse(original.Encode(), out var parsed), Is.True);
        Assert.That(parsed!.Id, Is.EqualTo(0x1234));
        Assert.That(parsed.IsResponse, Is.True);
        Assert.That(parsed.Questions, Is.EqualTo(original.Questions));
        AssertSameRecords(parsed.Answers, original.Answers);
        AssertSameRecords(parsed.Authorities, original.Authorities);
        AssertSameRecords(parsed.Additionals, original.Additionals);
        Assert.That(parsed.Answers[0].Address, Is.EqualTo(IPAddress.Parse("192.0.2.7")));
        Assert.That(parsed.Additionals[0].Address, Is.EqualTo(IPAddress.Parse("2001:db8::7")));
        Assert.That(parsed.Authorities[0].Address, Is.Null);
    }

    [Test]
    public void CompressedName_IsFollowed()
    {
        // Header, question "abc.local" at 12, answer name = pointer to 12.
        byte[] wire =
        [
            0, 0, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0,
            3, (byte)'a', (byte)'b', (byte)'c', 5, (byte)'l', (byte)'o', (byte)'c', (byte)'a', (byte)'l', 0, 0, 1, 0, 1,
            0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 10, 0, 4, 127, 0, 0, 1,
        ];
        Assert.That(MdnsMessage.TryParse(wire, out var parsed), Is.True);
        Assert.That(parsed!.Answers.Single().Name, Is.EqualTo("abc.local"));
        Assert.That(parsed.Answers[0].Address, Is.EqualTo(IPAddress.Loopback));

        // A label followed by a pointer to the tail of an earlier name.
        byte[] partial = [.. wire[..^16], 1, (byte)'x', 0xC0, 16, 0, 1, 0, 1, 0, 0, 0, 10, 0, 4, 127, 0, 0, 1];
        Assert.That(MdnsMessage.TryParse(partial, out parsed), Is.True);
        Assert.That(parsed!.Answers.Single().Name, Is.EqualTo("x.local"));
    }

    [Test]
    public void PointerToItself_IsRejected()
    {
        byte[] wire = [0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1];
        Assert.That(MdnsMessage.TryParse(wire, out _), Is.False);
    }

    [Test]
    public void PointerCycle_IsRejected()
    {
        // 12: pointer -> 14, 14: pointer -> 12 (the forward one is refused).
        byte[] twoPointers = [0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 14, 0xC0, 12, 0, 1, 0, 1];
        Assert.That(MdnsMessage.TryParse(twoPointers, out _), Is.False);

        // A loop built only from backward pointers: 12: label "a", then at 14 a pointer back to 12.
        // Reading from 14 jumps to 12, reads "a", meets 14 again, and so on.
        byte[] backwardLoop = [0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, (byte)'a', 0xC0, 12, 0, 1, 0, 1];
        Assert.That(MdnsMessage.TryParse(backwardLoop, out _), Is.False);
        int offset = 14;
        Assert.That(MdnsMessage.TryReadName(backwardLoop, ref offset, out _), Is.False);
    }

    [Test]
    public void OverlongName_IsRejected()
    {
        // 5 labels of 63 bytes = 320 bytes > 255.
        var bytes = new List<byte> { 0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
        for (int i = 0; i < 5; i++)
        {
            bytes.Add(63);
            bytes.AddRange(Enumerable.Repeat((byte)'a', 63));
        }

        bytes.AddRange(new byte[] { 0, 0, 1, 0, 1 });
        Assert.That(MdnsMessage.TryParse(bytes.ToArray(), out _), Is.False);
    }

    [TestCase(new byte[0])]
    [TestCase(new byte[] { 0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0 })]
    [TestCase(new byte[] { 0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0 })]
    [TestCase(new byte[] { 0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, (byte)'a' })]
    [TestCase(new byte[] { 0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0 })]
    [TestCase(new byte[] { 0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 1, 0, 1 })]
    [TestCase(new byte[] { 0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 9, 1 })]
    [TestCase(new byte[] { 0, 0, 0x84, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })]
    public void Truncated_Or_Malformed_IsRejected(byte[] wire) =>
        Assert.That(MdnsMessage.TryParse(wire, out _), Is.False);

    [Test]
    public void Fuzz_NeverThrowsOrHangs()
    {
        var random = new Random(6762);
        byte[][] seeds =
        [
            SampleResponse().Encode(),
            MdnsMessage.CreateQuery(Name, true, MdnsMessage.TypeA, MdnsMessage.TypeAaaa).Encode(),
            [0, 0, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0, 3, 97, 98, 99, 5, 108, 111, 99, 97, 108, 0, 0, 1, 0, 1, 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 10, 0, 4, 127, 0, 0, 1],
        ];

        var watch = Stopwatch.StartNew();
        int parsed = 0;
        byte[] scratch = new byte[600];
        for (int i = 0; i < 100_000; i++)
        {
            int length;
            if (i % 4 == 0)
            {
                // Pure noise, sometimes with a plausible header so the parser gets past it.
                length = random.Next(0, scratch.Length);
                random.NextBytes(scratch.AsSpan(0, length));
                if (length >= 12 && (i & 8) != 0)
                {
                    scratch[4] = 0;
                    scratch[6] = 0;
                    scratch[8] = 0;
                    scratch[10] = 0;
                }
            }
            else
            {
                var seed = seeds[random.Next(seeds.Length)];
                length = seed.Length;
                seed.CopyTo(scratch, 0);
                int mutations = random.Next(1, 6);
                for (int m = 0; m < mutations; m++)
                {
                    int at = random.Next(length);
                    switch (random.Next(5))
                    {
                        case 0: scratch[at] = (byte)random.Next(256); break;
                        case 1: scratch[at] ^= (byte)(1 << random.Next(8)); break;
                        case 2: scratch[at] = 0xC0; break; // plant a compression pointer
                        case 3: length = random.Next(length + 1); break; // truncate
                        default: scratch[at] = (byte)random.Next(64); break; // plausible label length
                    }

                    if (length == 0)
                    {
                        break;
                    }
                }
            }

            if (MdnsMessage.TryParse(scratch.AsSpan(0, length), out var message))
            {
                parsed++;
                foreach (var r in message.Answers)
                {
                    _ = r.Address;
                }
            }
        }

        TestContext.Out.WriteLine($"{parsed} of 100000 inputs parsed, {watch.ElapsedMilliseconds} ms");
        Assert.That(parsed, Is.GreaterThan(0), "the mutations should leave some messages well-formed");
    }

    [TestCase("a..local")]
    [TestCase(".local")]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.local")]
    public void Encode_BadName_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => MdnsMessage.CreateQuery(name, false, MdnsMessage.TypeA).Encode());

    private static void AssertSameRecords(List<MdnsRecord> actual, List<MdnsRecord> expected)
    {
        Assert.That(actual, Has.Count.EqualTo(expected.Count));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.That(actual[i] with { Data = expected[i].Data }, Is.EqualTo(expected[i]));
            Assert.That(actual[i].Data, Is.EqualTo(expected[i].Data));
        }
    }
}
