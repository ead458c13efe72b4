using System.Diagnostics;
using WebRtc.Client.Codecs;
using WebRtc.Client.Jsep;
using WebRtc.Client.Sdp;
using WebRtc.Client.Tests.Sdp.Corpus;

namespace WebRtc.Client.Tests.Jsep;

// Mutated browser offers through JsepReader, JsepMedia and JsepBuilder: only the documented exceptions come out.
public class JsepMediaFuzzTests
{
    private static readonly string[] Seeds = [SdpCorpus.Crlf(SdpCorpus.ChromeAudioVideoDataOffer), SdpCorpus.Crlf(JsepMediaTests.FirefoxOffer)];

    private static readonly string[] Junk =
    [
        "", " ", "0", "127", "128", "-1", "4294967295", "4294967296", "99999999999", "/", "//", "=", ";", "*", "rtx", "apt=", "apt=96", "apt=999",
        "H264/90000", "VP8/0", "opus/48000/0", "profile-level-id=", "profile-level-id=zz", "packetization-mode=9", "RTP/AVP", "FID",
        "a=rtpmap:", "a=fmtp:", "a=rtcp-fb:*", "a=extmap:", "a=extmap:0", "a=ssrc:", "a=ssrc-group:FID", "a=msid:", "a=sendonly", "a=inactive", "é",
    ];

    [Test]
    public void Mutated_offers_read_and_answer_or_throw_only_the_documented_exceptions()
    {
        var rng = new Random(8829);
        var registry = JsepMediaTests.Registry();
        var clock = Stopwatch.StartNew();
        int answered = 0, refused = 0;
        for (var i = 0; i < 6000; i++)
        {
            var input = Mutate(rng, Seeds[rng.Next(Seeds.Length)]);
            try
            {
                var offer = JsepReader.ReadOffer(input);
                var plan = new JsepSection?[offer.Sdp.Media.Count];
                foreach (var m in offer.MediaSections.Where(m => m.IsUsable))
                {
                    var codecs = JsepMedia.AnswerCodecs(m, registry);
                    _ = JsepMedia.AnswerHeaderExtensions(m);
                    if (codecs.Count > 0 && m.Mid is not null)
                    {
                        plan[m.MLineIndex] = new JsepMediaSection(m.Mid, m.Kind)
                        {
                            Codecs = codecs,
                            HeaderExtensions = JsepMedia.AnswerHeaderExtensions(m),
                            Direction = JsepMedia.AnswerDirection(m.Direction, true, true),
                            TrackId = "t",
                            Ssrc = 1,
                            RtxSsrc = 2,
                            Cname = "c",
                        };
                    }
                }
                if (offer.DataSection is { } d) { plan[d.MLineIndex] = new JsepDataSection(d.Mid ?? "d"); }
                if (plan.All(p => p is null)) { refused++; continue; }
                var forAnswer = JsepReader.ReadOffer(offer.Sdp, plan);
                var answer = JsepBuilder.CreateAnswer(forAnswer.Sdp, SdpOrigin.Create(1, 1), JsepBuilderTests.Transport(), plan);
                var back = JsepReader.ReadAnswer(answer.ToString(), offer.Sdp);
                Assert.That(back.MediaSections.Count(m => !m.IsRejected), Is.EqualTo(plan.Count(p => p is JsepMediaSection)), input);
                answered++;
            }
            catch (Exception e) when (e is SdpParseException or InvalidAccessException or OperationErrorException)
            {
                refused++;
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(answered, Is.GreaterThan(1000));
            Assert.That(refused, Is.GreaterThan(500));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), "no pathological slowness");
        });
    }

    private static string Mutate(Random rng, string seed)
    {
        var lines = seed.TrimEnd('\r', '\n').Split("\r\n").ToList();
        var edits = 1 + rng.Next(4);
        for (var e = 0; e < edits; e++)
        {
            // Mostly edit the lines this layer reads: rtpmap, fmtp, rtcp-fb, extmap, ssrc, msid, m=.
            var candidates = Enumerable.Range(0, lines.Count).Where(i => rng.Next(4) == 0 || IsMediaLine(lines[i])).ToArray();
            var i = candidates.Length == 0 ? rng.Next(lines.Count) : candidates[rng.Next(candidates.Length)];
            var line = lines[i];
            switch (rng.Next(7))
            {
                case 0: lines.RemoveAt(i); break;
                case 1: lines.Insert(i, line); break;
                case 2: lines[i] = ReplaceField(rng, line); break;
                case 3: lines[i] = line[..rng.Next(line.Length + 1)]; break;
                case 4: lines.Insert(i, Junk[rng.Next(Junk.Length)].StartsWith("a=", StringComparison.Ordinal) ? Junk[rng.Next(Junk.Length)] + Junk[rng.Next(Junk.Length)] : "a=" + Junk[rng.Next(Junk.Length)]); break;
                case 5: (lines[i], lines[rng.Next(lines.Count)]) = (lines[rng.Next(lines.Count)], lines[i]); break;
                default: lines[i] = line.Replace("a=rtpmap:", "a=fmtp:", StringComparison.Ordinal).Replace("apt=", "apt=1", StringComparison.Ordinal); break;
            }
            if (lines.Count == 0) { lines.Add("v=0"); }
        }
        return string.Join("\r\n", lines) + "\r\n";
    }

    private static bool IsMediaLine(string line) =>
        line.StartsWith("m=", StringComparison.Ordinal) || line.StartsWith("a=rtpmap", StringComparison.Ordinal) || line.StartsWith("a=fmtp", StringComparison.Ordinal)
        || line.StartsWith("a=rtcp-fb", StringComparison.Ordinal) || line.StartsWith("a=extmap", StringComparison.Ordinal) || line.StartsWith("a=ssrc", StringComparison.Ordinal)
        || line.StartsWith("a=msid", StringComparison.Ordinal) || line.StartsWith("a=rtcp-mux", StringComparison.Ordinal);

    // Replaces one space-, slash-, colon-, semicolon- or equals-separated field with junk.
    private static string ReplaceField(Random rng, string line)
    {
        var separators = new[] { ' ', '/', ':', ';', '=' };
        var positions = Enumerable.Range(0, line.Length).Where(p => separators.Contains(line[p])).ToArray();
        if (positions.Length == 0) { return line + Junk[rng.Next(Junk.Length)]; }
        var start = positions[rng.Next(positions.Length)] + 1;
        var end = line.IndexOfAny(separators, start);
        if (end < 0) { end = line.Length; }
        return line[..start] + Junk[rng.Next(Junk.Length)] + line[end..];
    }
}
