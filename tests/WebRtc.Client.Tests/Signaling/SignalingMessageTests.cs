using System.Text;
using WebRtc.Client.Ice;
using WebRtc.Client.Signaling;

namespace WebRtc.Client.Tests.Signaling;

public class SignalingMessageTests
{
    private const string Sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\na=ice-pwd:ab+/cd<>&'\r\n";
    private const string SdpJson = "v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\na=ice-pwd:ab+/cd<>&'\\r\\n";
    private const string Host = "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host generation 0";

    [Test]
    public void Descriptions_WriteExactBrowserJson()
    {
        Assert.That(SignalingMessage.Offer(Sdp).ToJson(), Is.EqualTo("{\"type\":\"offer\",\"sdp\":\"" + SdpJson + "\"}"));
        Assert.That(SignalingMessage.Answer(Sdp).ToJson(), Is.EqualTo("{\"type\":\"answer\",\"sdp\":\"" + SdpJson + "\"}"));
        Assert.That(SignalingMessage.Pranswer(Sdp).ToJson(), Is.EqualTo("{\"type\":\"pranswer\",\"sdp\":\"" + SdpJson + "\"}"));
        Assert.That(SignalingMessage.Rollback().ToJson(), Is.EqualTo("{\"type\":\"rollback\"}"));
        Assert.That(SignalingMessage.Bye().ToJson(), Is.EqualTo("{\"type\":\"bye\"}"));
    }

    [Test]
    public void Candidate_WritesExactBrowserJson()
    {
        Assert.That(SignalingMessage.Candidate(Host, "0", 0).ToJson(),
            Is.EqualTo("{\"type\":\"candidate\",\"candidate\":\"" + Host + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}"));
        Assert.That(SignalingMessage.Candidate(Host, "audio", 1, "u+/x").ToJson(),
            Is.EqualTo("{\"type\":\"candidate\",\"candidate\":\"" + Host + "\",\"sdpMid\":\"audio\",\"sdpMLineIndex\":1,\"usernameFragment\":\"u+/x\"}"));
    }

    [Test]
    public void EndOfCandidates_WritesEmptyCandidate()
    {
        Assert.That(SignalingMessage.EndOfCandidates("0", 0).ToJson(),
            Is.EqualTo("{\"type\":\"candidate\",\"candidate\":\"\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}"));
        Assert.That(SignalingMessage.EndOfCandidates().ToJson(), Is.EqualTo("{\"type\":\"candidate\",\"candidate\":\"\"}"));
        Assert.That(SignalingMessage.EndOfCandidates().IsEndOfCandidates, Is.True);
        Assert.That(SignalingMessage.Candidate("", "0", 0).IsEndOfCandidates, Is.True);
        Assert.That(SignalingMessage.Candidate(Host, "0", 0).IsEndOfCandidates, Is.False);
        Assert.That(SignalingMessage.Bye().IsEndOfCandidates, Is.False);
    }

    [Test]
    public void Json_EscapesControlCharactersQuotesAndBackslashes()
    {
        var message = SignalingMessage.Offer("a\"b\\c\td\u0001é\u2028");
        string json = message.ToJson();
        Assert.That(json, Does.Contain("a\\\"b\\\\c\\td\\u0001"));
        Assert.That(SignalingMessage.Parse(json), Is.EqualTo(message));
    }

    private static IEnumerable<SignalingMessage> AllKinds()
    {
        yield return SignalingMessage.Offer(Sdp);
        yield return SignalingMessage.Pranswer(Sdp);
        yield return SignalingMessage.Answer(Sdp);
        yield return SignalingMessage.Rollback();
        yield return SignalingMessage.Bye();
        yield return SignalingMessage.Candidate(Host, "0", 0);
        yield return SignalingMessage.Candidate(Host, null, 3, "abcd");
        yield return SignalingMessage.Candidate(Host, "video", null);
        yield return SignalingMessage.EndOfCandidates("1", 1, "abcd");
        yield return SignalingMessage.EndOfCandidates();
    }

    [TestCaseSource(nameof(AllKinds))]
    public void RoundTrip_TextAndUtf8(SignalingMessage message)
    {
        Assert.That(SignalingMessage.Parse(message.ToJson()), Is.EqualTo(message));
        Assert.That(SignalingMessage.Parse(message.ToUtf8Json()), Is.EqualTo(message));
        Assert.That(Encoding.UTF8.GetString(message.ToUtf8Json()), Is.EqualTo(message.ToJson()));
        Assert.That(SignalingMessage.Parse(message.ToJson()).GetHashCode(), Is.EqualTo(message.GetHashCode()));
    }

    [Test]
    public void BrowserExamples_Parse()
    {
        // JSON.stringify(pc.localDescription) in Chrome, with its own key order.
        var offer = SignalingMessage.Parse("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\n\"}");
        Assert.That(offer.Type, Is.EqualTo(SignalingMessageType.Offer));
        Assert.That(offer.Sdp, Is.EqualTo("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"));
        Assert.That(offer.IsDescription, Is.True);

        // { type: "candidate", ...e.candidate.toJSON() } in Chrome (sdp first key order differs, usernameFragment present).
        var chrome = SignalingMessage.Parse(
            "{\"candidate\":\"candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sXP5 network-cost 999\"," +
            "\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"sXP5\",\"type\":\"candidate\"}");
        Assert.That(chrome.Type, Is.EqualTo(SignalingMessageType.Candidate));
        Assert.That(chrome.CandidateString, Does.StartWith("candidate:842163049 1 udp"));
        Assert.That(chrome.SdpMid, Is.EqualTo("0"));
        Assert.That(chrome.SdpMLineIndex, Is.EqualTo(0));
        Assert.That(chrome.UsernameFragment, Is.EqualTo("sXP5"));
        Assert.That(RTCIceCandidate.FromInit(chrome.ToCandidateInit()).Type, Is.EqualTo(RTCIceCandidateType.Srflx));

        // Firefox's end-of-candidates for an m-line.
        var eoc = SignalingMessage.Parse("{\"type\":\"candidate\",\"candidate\":\"\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"3c5a\"}");
        Assert.That(eoc.IsEndOfCandidates, Is.True);
        Assert.That(eoc.SdpMid, Is.EqualTo("0"));
        Assert.That(RTCIceCandidate.IsEndOfCandidates(eoc.ToCandidateInit()), Is.True);
    }

    [Test]
    public void NestedCandidateObject_Parses()
    {
        // JSON.stringify({ type: "candidate", candidate: e.candidate }).
        var m = SignalingMessage.Parse(
            "{\"type\":\"candidate\",\"candidate\":{\"candidate\":\"" + Host + "\",\"sdpMid\":\"1\",\"sdpMLineIndex\":1,\"usernameFragment\":\"abcd\"}}");
        Assert.That(m, Is.EqualTo(SignalingMessage.Candidate(Host, "1", 1, "abcd")));
    }

    [TestCase("{\"type\":\"candidate\",\"candidate\":null}")]
    [TestCase("{\"type\":\"candidate\"}")]
    [TestCase("{\"type\":\"candidate\",\"candidate\":{}}")]
    public void NullOrMissingCandidate_IsEndOfCandidates(string json)
    {
        var m = SignalingMessage.Parse(json);
        Assert.That(m.IsEndOfCandidates, Is.True);
        Assert.That(m.CandidateString, Is.Empty);
    }

    [Test]
    public void Parse_IgnoresUnknownFieldsAndWhitespace_AcceptsNumericStringIndex()
    {
        var m = SignalingMessage.Parse("""
            {
              "from": "alice", "room": { "id": 3, "tags": ["a", null] }, "ts": [1, 2.5],
              "type": "answer",
              "sdp": "v=0\r\n",
              "candidate": "ignored for an answer"
            }
            """);
        Assert.That(m, Is.EqualTo(SignalingMessage.Answer("v=0\r\n")));
        Assert.That(SignalingMessage.Parse("{\"type\":\"candidate\",\"candidate\":\"x\",\"sdpMLineIndex\":\"2\"}").SdpMLineIndex, Is.EqualTo(2));
        Assert.That(SignalingMessage.Parse("{\"type\":\"rollback\",\"sdp\":\"\"}"), Is.EqualTo(SignalingMessage.Rollback()));
        Assert.That(SignalingMessage.Parse("{\"type\":\"bye\",\"reason\":\"hung up\"}"), Is.EqualTo(SignalingMessage.Bye()));
    }

    [TestCase("", TestName = "Bad_Empty")]
    [TestCase("   ", TestName = "Bad_Whitespace")]
    [TestCase("not json", TestName = "Bad_NotJson")]
    [TestCase("{\"type\":\"offer\",\"sdp\":\"v=0", TestName = "Bad_Truncated")]
    [TestCase("{\"type\":\"offer\",\"sdp\":\"x\"} trailing", TestName = "Bad_Trailing")]
    [TestCase("[]", TestName = "Bad_Array")]
    [TestCase("null", TestName = "Bad_Null")]
    [TestCase("42", TestName = "Bad_Number")]
    [TestCase("\"offer\"", TestName = "Bad_String")]
    [TestCase("{}", TestName = "Bad_NoType")]
    [TestCase("{\"type\":null}", TestName = "Bad_NullType")]
    [TestCase("{\"type\":1}", TestName = "Bad_NumericType")]
    [TestCase("{\"type\":\"Offer\",\"sdp\":\"x\"}", TestName = "Bad_TypeCase")]
    [TestCase("{\"type\":\"hello\"}", TestName = "Bad_UnknownType")]
    [TestCase("{\"type\":\"offer\"}", TestName = "Bad_OfferWithoutSdp")]
    [TestCase("{\"type\":\"answer\",\"sdp\":\"\"}", TestName = "Bad_EmptySdp")]
    [TestCase("{\"type\":\"offer\",\"sdp\":5}", TestName = "Bad_NumericSdp")]
    [TestCase("{\"type\":\"candidate\",\"candidate\":5}", TestName = "Bad_NumericCandidate")]
    [TestCase("{\"type\":\"candidate\",\"candidate\":[\"x\"]}", TestName = "Bad_ArrayCandidate")]
    [TestCase("{\"type\":\"candidate\",\"candidate\":\"x\",\"sdpMLineIndex\":-1}", TestName = "Bad_NegativeIndex")]
    [TestCase("{\"type\":\"candidate\",\"candidate\":\"x\",\"sdpMLineIndex\":65536}", TestName = "Bad_LargeIndex")]
    [TestCase("{\"type\":\"candidate\",\"candidate\":\"x\",\"sdpMLineIndex\":1.5}", TestName = "Bad_FractionalIndex")]
    [TestCase("{\"type\":\"candidate\",\"candidate\":{\"sdpMLineIndex\":\"x\"}}", TestName = "Bad_NestedIndex")]
    [TestCase("{\"type\":\"candidate\",\"candidate\":{\"sdpMLineIndex\":70000}}", TestName = "Bad_NestedIndexRange")]
    public void Parse_BadInput_ThrowsFormatException(string json)
    {
        var e = Assert.Throws<FormatException>(() => SignalingMessage.Parse(json));
        Assert.That(e!.Message, Does.StartWith("Invalid signaling message: "));
        Assert.That(e.GetType(), Is.EqualTo(typeof(FormatException)));
        Assert.That(() => SignalingMessage.Parse(Encoding.UTF8.GetBytes(json)), Throws.TypeOf<FormatException>());
        Assert.That(SignalingMessage.TryParse(json, out var message), Is.False);
        Assert.That(message, Is.Null);
        Assert.That(SignalingMessage.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error), Is.False);
        Assert.That(error, Is.Not.Empty);
    }

    [Test]
    public void Parse_ErrorMessagesNameTheProblem()
    {
        Assert.That(() => SignalingMessage.Parse("{\"type\":\"hello\"}"), Throws.TypeOf<FormatException>().With.Message.Contains("unknown type \"hello\""));
        Assert.That(() => SignalingMessage.Parse("{\"sdp\":\"x\"}"), Throws.TypeOf<FormatException>().With.Message.Contains("no \"type\""));
        Assert.That(() => SignalingMessage.Parse("{\"type\":\"offer\"}"), Throws.TypeOf<FormatException>().With.Message.Contains("no \"sdp\""));
        Assert.That(() => SignalingMessage.Parse("{\"type\":5}"), Throws.TypeOf<FormatException>().With.Message.Contains("$.type"));
    }

    [Test]
    public void Parse_InvalidUtf8_ThrowsFormatException()
    {
        byte[] bytes = [.. "{\"type\":\"offer\",\"sdp\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        Assert.That(() => SignalingMessage.Parse(bytes), Throws.TypeOf<FormatException>());
        Assert.That(SignalingMessage.TryParse(bytes, out _, out _), Is.False);
    }

    [Test]
    public void Parse_DeepNesting_ThrowsFormatException()
    {
        string deep = "{\"type\":\"bye\",\"x\":" + new string('[', 100) + new string(']', 100) + "}";
        Assert.That(() => SignalingMessage.Parse(deep), Throws.TypeOf<FormatException>());
    }

    [Test]
    public void Parse_Null_ThrowsArgumentNull()
    {
        Assert.That(() => SignalingMessage.Parse((string)null!), Throws.ArgumentNullException);
        Assert.That(SignalingMessage.TryParse((string?)null, out _), Is.False);
    }

    [Test]
    public void IceCandidate_RoundTripsThroughSignaling()
    {
        var candidate = RTCIceCandidate.Parse(
            "candidate:2 1 udp 1686052607 203.0.113.9 61000 typ srflx raddr 10.0.0.2 rport 50000 generation 0 ufrag EsAw", "0", 0);
        var message = SignalingMessage.Candidate(candidate);
        Assert.That(message.UsernameFragment, Is.EqualTo("EsAw"));
        var back = SignalingMessage.Parse(message.ToJson()).ToCandidateInit();
        Assert.That(back, Is.EqualTo(candidate.ToJson()));
        Assert.That(RTCIceCandidate.FromInit(back), Is.EqualTo(candidate));

        var init = new RTCIceCandidateInit("", "0", 0);
        Assert.That(SignalingMessage.Candidate(init).IsEndOfCandidates, Is.True);
        Assert.That(SignalingMessage.Candidate(init).ToCandidateInit(), Is.EqualTo(init));
    }

    [Test]
    public void ToCandidateInit_OnOtherTypes_Throws()
    {
        Assert.That(() => SignalingMessage.Offer(Sdp).ToCandidateInit(), Throws.InvalidOperationException);
        Assert.That(() => SignalingMessage.Bye().ToCandidateInit(), Throws.InvalidOperationException);
    }

    [Test]
    public void Factories_ValidateArguments()
    {
        Assert.That(() => SignalingMessage.Offer(""), Throws.ArgumentException);
        Assert.That(() => SignalingMessage.Answer(null!), Throws.ArgumentNullException);
        Assert.That(() => SignalingMessage.Description(SignalingMessageType.Bye, Sdp), Throws.ArgumentException);
        Assert.That(SignalingMessage.Description(SignalingMessageType.Answer, Sdp), Is.EqualTo(SignalingMessage.Answer(Sdp)));
        Assert.That(() => SignalingMessage.Candidate((string)null!, "0", 0), Throws.ArgumentNullException);
        Assert.That(() => SignalingMessage.Candidate((RTCIceCandidateInit)null!), Throws.ArgumentNullException);
        Assert.That(() => SignalingMessage.Candidate(Host, "0", 65536), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => SignalingMessage.EndOfCandidates("0", -1), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void ToString_NeverShowsSdp()
    {
        Assert.That(SignalingMessage.Offer(Sdp).ToString(), Does.Not.Contain("ice-pwd").And.StartWith("offer"));
        Assert.That(SignalingMessage.Candidate(Host, "0", 0).ToString(), Does.Contain(Host));
        Assert.That(SignalingMessage.EndOfCandidates("0", 0).ToString(), Does.StartWith("end-of-candidates"));
        Assert.That(SignalingMessage.Bye().ToString(), Is.EqualTo("bye"));
    }

    [Test]
    public void TypeOrder_MatchesW3CRTCSdpType()
    {
        Assert.That((int)SignalingMessageType.Offer, Is.EqualTo(0));
        Assert.That((int)SignalingMessageType.Pranswer, Is.EqualTo(1));
        Assert.That((int)SignalingMessageType.Answer, Is.EqualTo(2));
        Assert.That((int)SignalingMessageType.Rollback, Is.EqualTo(3));
        foreach (var type in Enum.GetValues<SignalingMessageType>())
        {
            Assert.That(SignalingMessage.TypeName(type), Is.EqualTo(type.ToString().ToLowerInvariant()));
        }
    }
}
