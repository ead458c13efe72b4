using WebRtc.Client.Sdp;
using WebRtc.Client.Tests.Sdp.Corpus;

namespace WebRtc.Client.Tests.Sdp;

public class SdpParseErrorTests
{
    private static string Base => SdpCorpus.Crlf(SdpCorpus.ChromeDataOffer);

    private static SdpParseException Fail(string text) =>
        Assert.Throws<SdpParseException>(() => SdpSessionDescription.Parse(text))!;

    [TestCase("", 1)]
    [TestCase("o=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 1)]
    [TestCase("v=1\r\n", 1)]
    [TestCase("v=0\r\ns=-\r\n", 2)]
    [TestCase("v=0\r\no=- 1 2 IN IP4\r\ns=-\r\nt=0 0\r\n", 2)]
    [TestCase("v=0\r\no=- x 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", 2)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\nt=0 0\r\n", 3)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0\r\n", 4)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP\r\n", 5)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n", 5)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\nt=0 0\r\n", 6)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nx=unknown\r\n", 5)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\na=\r\n", 5)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n\r\na=x\r\n", 5)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nr=1 2 3\r\nt=0 0\r\n", 4)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nb=AS:x\r\n", 5)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nc=IN IP4\r\n", 5)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nA=x\r\n", 5)]
    [TestCase("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\na=x\0y\r\n", 5)]
    public void Malformed_structure_names_the_line(string text, int line) =>
        Assert.That(Fail(text).LineNumber, Is.EqualTo(line));

    [TestCase("a=setup:actpass", "a=setup:bogus")]
    [TestCase("a=sctp-port:5000", "a=sctp-port:99999")]
    [TestCase("a=sctp-port:5000", "a=sctp-port:-1")]
    [TestCase("a=max-message-size:262144", "a=max-message-size:1e6")]
    [TestCase("a=mid:0", "a=mid:")]
    [TestCase("a=group:BUNDLE 0", "a=group:BUNDLE  0")]
    [TestCase("a=fingerprint:sha-256 ", "a=fingerprint:sha-256")]
    [TestCase("a=ice-ufrag:uT4x", "a=ice-ufrag:u T4x")]
    [TestCase("a=sctp-port:5000", "a=rtpmap:128 opus/48000/2")]
    [TestCase("a=sctp-port:5000", "a=rtpmap:111 opus")]
    [TestCase("a=sctp-port:5000", "a=extmap:0 urn:x")]
    [TestCase("a=sctp-port:5000", "a=extmap:1/sideways urn:x")]
    [TestCase("a=sctp-port:5000", "a=ssrc:4294967296 cname:x")]
    [TestCase("a=sctp-port:5000", "a=ssrc-group:FID 1 x")]
    [TestCase("a=sctp-port:5000", "a=rtcp-fb:x nack")]
    [TestCase("a=sctp-port:5000", "a=fmtp:96")]
    [TestCase("a=sctp-port:5000", "a=msid:a b c")]
    public void Malformed_known_attribute_names_its_line(string original, string replacement)
    {
        var text = Base.Replace(original, replacement, StringComparison.Ordinal);
        Assert.That(text, Is.Not.EqualTo(Base));
        var e = Fail(text);
        var expectedLine = Array.IndexOf(text.Split("\r\n"), text.Split("\r\n").First(l => l.StartsWith(replacement, StringComparison.Ordinal))) + 1;
        Assert.Multiple(() =>
        {
            Assert.That(e.LineNumber, Is.EqualTo(expectedLine));
            Assert.That(e.LineText, Is.EqualTo(text.Split("\r\n")[expectedLine - 1]));
            Assert.That(e.Message, Does.Contain($"line {expectedLine}"));
        });
    }

    [Test]
    public void Ice_pwd_never_appears_in_a_message()
    {
        var text = Base.Replace("a=ice-pwd:N8b2QwErTy6uIoP0aSdF3gHj", "a=ice-pwd:N8b2QwErTy6u IoP0aSdF3gHj", StringComparison.Ordinal);
        var e = Fail(text);
        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.Not.Contain("N8b2QwErTy6u"));
            Assert.That(e.LineText, Is.EqualTo("a=ice-pwd:***"));
        });
    }

    [Test]
    public void Missing_timing_is_rejected() =>
        Assert.That(Fail("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\na=x\r\n").Reason, Does.Contain("t="));

    [Test]
    public void Exception_is_a_format_exception_and_try_parse_reports_it()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Fail("v=0"), Is.InstanceOf<FormatException>());
            Assert.That(SdpSessionDescription.TryParse("v=0\r\nx", out var d, out var e), Is.False);
            Assert.That(d, Is.Null);
            Assert.That(e!.LineNumber, Is.EqualTo(2));
            Assert.That(SdpSessionDescription.TryParse(Base, out d, out e), Is.True);
            Assert.That(e, Is.Null);
        });
    }
}
