using System.Text;
using WebRtc.Client.Jsep;
using WebRtc.Client.Sdp;
using WebRtc.Client.Tests.Jsep;
using WebRtc.Client.Tests.Sdp.Corpus;

namespace WebRtc.Client.Tests.Sdp;

public class SdpFuzzTests
{
    private static readonly string[] Seeds = SdpCorpus.All().Select(d => SdpCorpus.Crlf((string)d.Arguments[0]!)).ToArray();

    private static readonly string[] Junk =
    [
        "", " ", "  ", "\t", "\r", "\n", "\0", ":", "/", "=", "-1", "0", "65535", "65536", "4294967296", "99999999999999999999999",
        "1e3", "é", "∞", "a=", "m=", "c=IN", "o=", "v=0", "t=", "x=", "a=mid:", "a=setup:", "a=candidate:1 1 udp",
        "m=application 9", "UDP/DTLS/SCTP", "webrtc-datachannel", "a=group:BUNDLE", "a=extmap:", "a=rtpmap:", "a=ssrc:",
        "DTLS/SCTP", "5000", "a=sctpmap:", "a=sctpmap:5000 webrtc-datachannel", "streams=", "max-message-size=", "t38",
    ];

    [Test]
    public void Twenty_thousand_mutations_parse_or_throw_sdp_parse_exception()
    {
        var rng = new Random(8866);
        int parsed = 0, rejected = 0;
        for (var i = 0; i < 24_000; i++)
        {
            var input = Mutate(rng, Seeds[rng.Next(Seeds.Length)]);
            try
            {
                var sdp = SdpSessionDescription.Parse(input);
                parsed++;
                // What parses writes out and parses again to the same text.
                var written = sdp.ToString();
                Assert.That(SdpSessionDescription.Parse(written).ToString(), Is.EqualTo(written), input);
                TouchAccessors(sdp);
                ReadAsJsep(sdp);
            }
            catch (SdpParseException e)
            {
                rejected++;
                Assert.That(e.LineNumber, Is.GreaterThanOrEqualTo(0), input);
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.GreaterThan(1000));
            Assert.That(rejected, Is.GreaterThan(1000));
        });
    }

    [Test]
    public void Truncation_at_every_line_and_every_character_of_the_data_offer()
    {
        foreach (var seed in Seeds)
        {
            var lines = seed.Split("\r\n");
            for (var n = 0; n <= lines.Length; n++)
            {
                Probe(string.Join("\r\n", lines.Take(n)));
            }
        }
        var offer = SdpCorpus.Crlf(SdpCorpus.ChromeDataOffer);
        for (var n = 0; n <= offer.Length; n++) { Probe(offer[..n]); }
    }

    [Test]
    public void Every_line_deleted_and_duplicated()
    {
        foreach (var seed in Seeds)
        {
            var lines = seed.TrimEnd('\r', '\n').Split("\r\n").ToList();
            for (var i = 0; i < lines.Count; i++)
            {
                var without = lines.Where((_, j) => j != i);
                Probe(string.Join("\r\n", without) + "\r\n");
                var doubled = lines.Take(i + 1).Append(lines[i]).Concat(lines.Skip(i + 1));
                Probe(string.Join("\r\n", doubled) + "\r\n");
            }
        }
    }

    [TestCase("v=")]
    [TestCase("o=")]
    [TestCase("s=")]
    [TestCase("t=")]
    public void Missing_mandatory_line_is_rejected(string prefix)
    {
        var lines = SdpCorpus.Crlf(SdpCorpus.ChromeDataOffer).Split("\r\n").Where(l => !l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.That(() => SdpSessionDescription.Parse(string.Join("\r\n", lines)), Throws.TypeOf<SdpParseException>());
    }

    private static void Probe(string input)
    {
        try
        {
            TouchAccessors(SdpSessionDescription.Parse(input));
        }
        catch (SdpParseException)
        {
        }
    }

    // The JSEP reader turns what breaks JSEP into InvalidAccessException and what it cannot use into
    // OperationErrorException, nothing else. An offer it accepts gets an answer in the same form that
    // parses and reads back as an answer to it.
    private static void ReadAsJsep(SdpSessionDescription sdp)
    {
        _ = JsepReader.ClassifySections(sdp).Count(s => s.IsUsed);
        try { _ = JsepReader.ReadOffer(sdp, requireDataSection: false); }
        catch (InvalidAccessException) { }
        catch (OperationErrorException) { }
        try { _ = JsepReader.ReadAnswer(sdp, sdp); }
        catch (InvalidAccessException) { }
        catch (OperationErrorException) { }
        JsepRemoteDescription offer;
        try { offer = JsepReader.ReadOffer(sdp); }
        catch (RTCException) { return; }
        if (offer.DataSection is null) { return; } // the default plan accepts only data; JsepMediaFuzzTests answers media
        var answer = JsepBuilder.CreateAnswer(offer.Sdp, SdpOrigin.Create(1, 1), JsepBuilderTests.Transport()).ToString();
        var back = JsepReader.ReadAnswer(answer, sdp);
        Assert.That(back.DataSection!.MLineIndex, Is.EqualTo(offer.DataSection!.MLineIndex), sdp.ToString());
        Assert.That(back.DataSection.IsLegacyForm, Is.EqualTo(offer.DataSection.IsLegacyForm), sdp.ToString());
    }

    // Every typed accessor must read a parsed description without throwing.
    private static void TouchAccessors(SdpSessionDescription sdp)
    {
        _ = (sdp.BundleGroup, sdp.IceLite, sdp.Fingerprints.Count, sdp.Setup, sdp.IceOptions.Count, sdp.Origin.SessionVersionNumber);
        for (var i = 0; i < sdp.Media.Count; i++)
        {
            var m = sdp.Media[i];
            _ = (m.Mid, m.IsDataChannel, m.SctpPort, m.MaxMessageSize, m.Direction, m.Setup, m.IsRejected, sdp.GetFingerprints(m).Count);
            _ = (m.IsLegacyDataChannel, m.SctpMaps.Count);
            _ = (m.RtpMaps.Count, m.Fmtps.Count, m.RtcpFeedbacks.Count, m.ExtMaps.Count, m.Ssrcs.Count, m.SsrcGroups.Count, m.Msids.Count);
            _ = m.GetCandidates(i, sdp.GetIceUfrag(m)).Count;
        }
    }

    private static string Mutate(Random rng, string seed)
    {
        var lines = seed.TrimEnd('\r', '\n').Split("\r\n").ToList();
        var edits = 1 + rng.Next(3);
        for (var e = 0; e < edits && lines.Count > 0; e++)
        {
            var i = rng.Next(lines.Count);
            switch (rng.Next(9))
            {
                case 0: lines.RemoveRange(i, lines.Count - i); break;                     // truncate at a line
                case 1: lines.RemoveAt(i); break;                                          // delete a line
                case 2: lines.Insert(i, lines[rng.Next(lines.Count)]); break;              // duplicate a line elsewhere
                case 3: lines[i] = EditChars(rng, lines[i]); break;                        // random character edits
                case 4: lines[i] = ReplaceNumber(rng, lines[i]); break;                    // bad numbers
                case 5: lines[i] = ReplaceField(rng, lines[i]); break;                     // junk field
                case 6: lines[i] = lines[i][..rng.Next(lines[i].Length + 1)]; break;       // truncate inside a line
                case 7: lines[i] = string.Join(' ', lines[i].Split(' ').Take(1 + rng.Next(3))); break; // too few fields
                default: (lines[i], lines[^1]) = (lines[^1], lines[i]); break;             // reorder
            }
        }
        var text = string.Join("\r\n", lines);
        return rng.Next(4) switch { 0 => text, 1 => text.Replace("\r\n", "\n", StringComparison.Ordinal), _ => text + "\r\n" };
    }

    private static string EditChars(Random rng, string line)
    {
        var sb = new StringBuilder(line);
        for (var k = 1 + rng.Next(3); k > 0; k--)
        {
            var pos = rng.Next(sb.Length + 1);
            var c = (char)rng.Next(0, 128);
            if (rng.Next(3) == 0 && pos < sb.Length) { sb.Remove(pos, 1); }
            else if (rng.Next(2) == 0 && pos < sb.Length) { sb[pos] = c; }
            else { sb.Insert(pos, c); }
        }
        return sb.ToString();
    }

    private static string ReplaceNumber(Random rng, string line)
    {
        var start = -1;
        for (var k = 0; k < line.Length; k++)
        {
            if (char.IsAsciiDigit(line[k]) && rng.Next(3) == 0) { start = k; break; }
        }
        if (start < 0) { return line; }
        var end = start;
        while (end < line.Length && char.IsAsciiDigit(line[end])) { end++; }
        string[] numbers = ["-1", "", "0", "65536", "4294967296", "18446744073709551616", "1.5", "0x10", "٣", "00"];
        return line[..start] + numbers[rng.Next(numbers.Length)] + line[end..];
    }

    private static string ReplaceField(Random rng, string line)
    {
        var fields = line.Split(' ');
        fields[rng.Next(fields.Length)] = Junk[rng.Next(Junk.Length)];
        return string.Join(' ', fields);
    }
}
