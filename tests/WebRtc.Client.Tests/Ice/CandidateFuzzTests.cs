using System.Text;
using WebRtc.Client.Ice;

namespace WebRtc.Client.Tests.Ice;

public class CandidateFuzzTests
{
    private static readonly string[] Seeds =
    [
        "candidate:2999745851 1 udp 2122260223 192.168.56.1 54321 typ host generation 0 ufrag EEtu network-id 1 network-cost 10",
        "candidate:1467250027 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 ufrag abcd network-id 1",
        "candidate:3625893962 1 udp 1686052607 203.0.113.7 61001 typ srflx raddr 192.168.1.5 rport 61001 generation 0 network-id 1 network-cost 50",
        "candidate:1 1 UDP 2122252543 3f9d1c4b-3a1e-4b5c-9e84-2b1d6f2f5a9e.local 51234 typ host",
        "candidate:4 1 UDP 8265471 198.51.100.9 3478 typ relay raddr 203.0.113.7 rport 61001",
        "candidate:842163049 1 udp 2122262783 2001:db8::1 49999 typ host generation 0",
        "a=candidate:0 2 tcp 1 ::ffff:1.2.3.4 0 typ prflx x-ext value tcptype so",
    ];

    private static readonly string[] Words =
    [
        "candidate:", "a=", "typ", "host", "srflx", "prflx", "relay", "foo", "udp", "tcp", "UDP", "TCP", "raddr", "rport",
        "tcptype", "active", "passive", "so", "generation", "ufrag", "network-id", "network-cost", "0.0.0.0", "::", "::1",
        "fe80::1", "x.local", ".local", "a..b", "0", "9", "65535", "65536", "4294967295", "4294967296", "2147483648", "-1",
        "+1", "1e3", "", " ", "\t", "\r\n", "\0", "é", "∞", "a=candidate:", "1.2.3.4.5", "256.0.0.1", "1.2.3",
    ];

    [Test]
    public void Every_seed_parses() =>
        Assert.That(Seeds.Where(s => !RTCIceCandidate.TryParse(s, out _, out _)), Is.Empty);

    [Test]
    public void Hundred_thousand_mutated_candidates_never_throw_and_round_trip()
    {
        var rng = new Random(8839);
        int parsed = 0, rejected = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var input = Mutate(rng, Seeds[rng.Next(Seeds.Length)]);
            bool ok;
            RTCIceCandidate? c;
            string? error;
            try
            {
                ok = RTCIceCandidate.TryParse(input, out c, out error);
            }
            catch (Exception ex)
            {
                Assert.Fail($"TryParse threw {ex.GetType().Name} for \"{input}\": {ex.Message}");
                return;
            }

            if (!ok)
            {
                rejected++;
                Assert.That(error, Is.Not.Null.And.Not.Empty.And.Not.StartsWith("internal"), input);
                Assert.That(c, Is.Null);
                continue;
            }

            parsed++;
            var written = c!.ToCandidateString();
            Assert.That(RTCIceCandidate.TryParse(written, out var again, out var error2), Is.True, $"\"{input}\" -> \"{written}\": {error2}");
            Assert.That(again, Is.EqualTo(c), $"\"{input}\" -> \"{written}\"");
            Assert.That(again!.ToCandidateString(), Is.EqualTo(written), input);
        }

        TestContext.Out.WriteLine($"parsed {parsed}, rejected {rejected}");
        // Make sure both branches were really exercised.
        Assert.That(parsed, Is.GreaterThan(5_000));
        Assert.That(rejected, Is.GreaterThan(5_000));
    }

    [Test]
    public void Parse_throws_only_format_exception()
    {
        var rng = new Random(5245);
        for (var i = 0; i < 20_000; i++)
        {
            var input = Mutate(rng, Seeds[rng.Next(Seeds.Length)]);
            var ok = RTCIceCandidate.TryParse(input, out _, out var error);
            try
            {
                RTCIceCandidate.Parse(input);
                Assert.That(ok, Is.True, input);
            }
            catch (FormatException ex)
            {
                Assert.That(ok, Is.False, input);
                Assert.That(ex.Message, Does.Contain(error!));
            }
        }
    }

    private static string Mutate(Random rng, string seed)
    {
        if (rng.Next(50) == 0) { return RandomString(rng, rng.Next(0, 200)); }
        var tokens = seed.Split(' ').ToList();
        var rounds = rng.Next(0, 4); // 0 rounds: the seed itself, which must parse
        for (var r = 0; r < rounds; r++)
        {
            var at = rng.Next(tokens.Count);
            switch (rng.Next(10))
            {
                case 0: if (tokens.Count > 1) { tokens.RemoveAt(at); } break;
                case 1: tokens.Insert(at, tokens[at]); break;
                case 2: tokens[at] = Words[rng.Next(Words.Length)]; break;
                case 3: tokens.Insert(at, Words[rng.Next(Words.Length)]); break;
                case 4: tokens[at] = RandomNumber(rng); break;
                case 5: tokens[at] = MutateChars(rng, tokens[at]); break;
                case 6: tokens.Add(Words[rng.Next(Words.Length)]); tokens.Add(rng.Next(2) == 0 ? RandomNumber(rng) : RandomString(rng, rng.Next(1, 8))); break;
                case 7:
                    var other = rng.Next(tokens.Count);
                    (tokens[at], tokens[other]) = (tokens[other], tokens[at]);
                    break;
                case 8: tokens.RemoveRange(at, tokens.Count - at); if (tokens.Count == 0) { tokens.Add(""); } break;
                default: tokens[at] = RandomString(rng, rng.Next(0, 12)); break;
            }
        }
        return string.Join(rng.Next(20) == 0 ? "  " : " ", tokens);
    }

    private static string RandomNumber(Random rng) => rng.Next(6) switch
    {
        0 => rng.Next(0, 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => rng.Next(0, 70_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        2 => ((ulong)rng.NextInt64() * 3).ToString(System.Globalization.CultureInfo.InvariantCulture),
        3 => (-rng.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture),
        4 => ((uint)rng.Next() * 2u + (uint)rng.Next(2)).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => new string('9', rng.Next(1, 40)),
    };

    private static string MutateChars(Random rng, string token)
    {
        var sb = new StringBuilder(token);
        var n = rng.Next(1, 4);
        for (var i = 0; i < n; i++)
        {
            var op = rng.Next(3);
            if (op == 0 && sb.Length > 0) { sb.Remove(rng.Next(sb.Length), 1); }
            else if (op == 1) { sb.Insert(rng.Next(sb.Length + 1), RandomChar(rng)); }
            else if (sb.Length > 0) { sb[rng.Next(sb.Length)] = RandomChar(rng); }
        }
        return sb.ToString();
    }

    private static string RandomString(Random rng, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++) { chars[i] = RandomChar(rng); }
        return new string(chars);
    }

    private static char RandomChar(Random rng) => rng.Next(8) switch
    {
        0 => (char)rng.Next(0, 32),
        1 => (char)rng.Next(0x80, 0xFFFF),
        2 => ":./-_+ "[rng.Next(7)],
        3 => (char)('0' + rng.Next(10)),
        _ => (char)rng.Next(33, 127),
    };
}
