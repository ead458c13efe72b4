using System.Net;
using System.Text.Json;
using WebRtc.Client.Ice;

namespace WebRtc.Client.Tests.Ice;

public class CandidateTests
{
    private const string ChromeHost = "candidate:2999745851 1 udp 2122260223 192.168.56.1 54321 typ host generation 0 ufrag EEtu network-id 1 network-cost 10";
    private const string ChromeTcp = "candidate:1467250027 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 ufrag abcd network-id 1";
    private const string ChromeSrflx = "candidate:3625893962 1 udp 1686052607 203.0.113.7 61001 typ srflx raddr 192.168.1.5 rport 61001 generation 0 network-id 1 network-cost 50";
    private const string FirefoxMdns = "candidate:1 1 UDP 2122252543 3f9d1c4b-3a1e-4b5c-9e84-2b1d6f2f5a9e.local 51234 typ host";
    private const string FirefoxRelay = "candidate:4 1 UDP 8265471 198.51.100.9 3478 typ relay raddr 203.0.113.7 rport 61001";
    private const string Ipv6Host = "candidate:842163049 1 udp 2122262783 2001:db8::1 49999 typ host generation 0";

    [Test]
    public void Parses_chrome_host_candidate()
    {
        var c = RTCIceCandidate.Parse(ChromeHost);
        Assert.Multiple(() =>
        {
            Assert.That(c.Foundation, Is.EqualTo("2999745851"));
            Assert.That(c.Component, Is.EqualTo(RTCIceComponent.Rtp));
            Assert.That(c.ComponentId, Is.EqualTo(1));
            Assert.That(c.Protocol, Is.EqualTo(RTCIceProtocol.Udp));
            Assert.That(c.Priority, Is.EqualTo(2122260223u));
            Assert.That(c.Address, Is.EqualTo("192.168.56.1"));
            Assert.That(c.IPAddress, Is.EqualTo(IPAddress.Parse("192.168.56.1")));
            Assert.That(c.IsMdnsHostName, Is.False);
            Assert.That(c.Port, Is.EqualTo(54321));
            Assert.That(c.Type, Is.EqualTo(RTCIceCandidateType.Host));
            Assert.That(c.TcpType, Is.Null);
            Assert.That(c.RelatedAddress, Is.Null);
            Assert.That(c.RelatedPort, Is.Null);
            Assert.That(c.Generation, Is.Zero);
            Assert.That(c.UsernameFragment, Is.EqualTo("EEtu"));
            Assert.That(c.NetworkId, Is.EqualTo(1));
            Assert.That(c.NetworkCost, Is.EqualTo(10));
            Assert.That(c.Extensions, Is.Empty);
            Assert.That(c.SdpMid, Is.Null);
            Assert.That(c.SdpMLineIndex, Is.Null);
        });
    }

    [Test]
    public void Parses_chrome_tcp_active_candidate()
    {
        // RFC 6544 §4.5: active TCP candidates carry port 9 (discard).
        var c = RTCIceCandidate.Parse(ChromeTcp);
        Assert.Multiple(() =>
        {
            Assert.That(c.Protocol, Is.EqualTo(RTCIceProtocol.Tcp));
            Assert.That(c.TcpType, Is.EqualTo(RTCIceTcpCandidateType.Active));
            Assert.That(c.Port, Is.EqualTo(9));
            Assert.That(c.IPAddress, Is.EqualTo(IPAddress.Loopback));
            Assert.That(c.UsernameFragment, Is.EqualTo("abcd"));
            Assert.That(c.NetworkCost, Is.Null);
        });
    }

    [Test]
    public void Parses_srflx_with_related_address()
    {
        var c = RTCIceCandidate.Parse(ChromeSrflx);
        Assert.Multiple(() =>
        {
            Assert.That(c.Type, Is.EqualTo(RTCIceCandidateType.Srflx));
            Assert.That(c.RelatedAddress, Is.EqualTo("192.168.1.5"));
            Assert.That(c.RelatedPort, Is.EqualTo(61001));
            Assert.That(c.NetworkCost, Is.EqualTo(50));
            Assert.That(c.UsernameFragment, Is.Null);
        });
    }

    [Test]
    public void Parses_firefox_mdns_candidate_with_uppercase_transport()
    {
        var c = RTCIceCandidate.Parse(FirefoxMdns);
        Assert.Multiple(() =>
        {
            Assert.That(c.Foundation, Is.EqualTo("1"));
            Assert.That(c.Protocol, Is.EqualTo(RTCIceProtocol.Udp));
            Assert.That(c.Address, Is.EqualTo("3f9d1c4b-3a1e-4b5c-9e84-2b1d6f2f5a9e.local"));
            Assert.That(c.IsMdnsHostName, Is.True);
            Assert.That(c.IPAddress, Is.Null);
            Assert.That(c.Generation, Is.Null);
            // Transport is written lowercase (RFC 8839 §5.1 example and every browser accepts it).
            Assert.That(c.ToCandidateString(), Is.EqualTo(FirefoxMdns.Replace(" UDP ", " udp ", StringComparison.Ordinal)));
        });
    }

    [Test]
    public void Parses_firefox_relay_candidate()
    {
        var c = RTCIceCandidate.Parse(FirefoxRelay);
        Assert.Multiple(() =>
        {
            Assert.That(c.Type, Is.EqualTo(RTCIceCandidateType.Relay));
            Assert.That(c.Priority, Is.EqualTo(8265471u));
            Assert.That(c.RelatedAddress, Is.EqualTo("203.0.113.7"));
            Assert.That(c.RelatedPort, Is.EqualTo(61001));
        });
    }

    [Test]
    public void Parses_ipv6_candidate()
    {
        var c = RTCIceCandidate.Parse(Ipv6Host);
        Assert.Multiple(() =>
        {
            Assert.That(c.Address, Is.EqualTo("2001:db8::1"));
            Assert.That(c.IPAddress, Is.EqualTo(IPAddress.Parse("2001:db8::1")));
            Assert.That(c.Port, Is.EqualTo(49999));
        });
    }

    [TestCase(ChromeHost)]
    [TestCase(ChromeTcp)]
    [TestCase(ChromeSrflx)]
    [TestCase(Ipv6Host)]
    [TestCase("candidate:1 1 udp 1 1.2.3.4 5 typ host foo bar generation 0 baz qux")]
    [TestCase("candidate:1 1 udp 1 1.2.3.4 5 typ srflx network-cost 3 rport 7 x y raddr 10.0.0.1")]
    public void Round_trips_exactly_keeping_extension_order(string text)
    {
        var c = RTCIceCandidate.Parse(text);
        Assert.Multiple(() =>
        {
            Assert.That(c.ToCandidateString(), Is.EqualTo(text));
            Assert.That(c.ToString(), Is.EqualTo(text));
            Assert.That(c.Candidate, Is.EqualTo(text));
            Assert.That(RTCIceCandidate.Parse(c.ToCandidateString()), Is.EqualTo(c));
        });
    }

    [Test]
    public void Keeps_unknown_extensions_in_order()
    {
        var c = RTCIceCandidate.Parse("candidate:1 1 udp 1 1.2.3.4 5 typ host foo bar generation 0 baz qux foo again");
        Assert.That(c.Extensions, Is.EqualTo(new[]
        {
            new KeyValuePair<string, string>("foo", "bar"),
            new KeyValuePair<string, string>("baz", "qux"),
            new KeyValuePair<string, string>("foo", "again"),
        }));
    }

    [TestCase("a=" + ChromeHost)]
    [TestCase("2999745851 1 udp 2122260223 192.168.56.1 54321 typ host generation 0 ufrag EEtu network-id 1 network-cost 10")]
    [TestCase("  " + ChromeHost + "\r\n")]
    [TestCase("candidate:2999745851  1 udp\t2122260223 192.168.56.1 54321 TYP HOST generation 0 ufrag EEtu network-id 1 network-cost 10")]
    public void Accepts_optional_prefixes_and_loose_whitespace(string text) =>
        Assert.That(RTCIceCandidate.Parse(text).ToCandidateString(), Is.EqualTo(ChromeHost));

    [TestCase(null, "null")]
    [TestCase("", "empty")]
    [TestCase("candidate:", "empty")]
    [TestCase("a=candidate:", "empty")]
    [TestCase("a=1 1 udp 1 1.2.3.4 5 typ host", "'a='")]
    [TestCase("candidate:1 1 udp 2122260223 192.168.56.1 54321", "fields")]
    [TestCase("candidate:1 1 udp 2122260223 192.168.56.1 54321 host generation 0", "'typ'")]
    [TestCase("candidate:1 1 udp 2122260223 192.168.56.1 abc typ host", "port 'abc'")]
    [TestCase("candidate:1 1 udp 2122260223 192.168.56.1 70000 typ host", "port '70000'")]
    [TestCase("candidate:1 1 udp 2122260223 192.168.56.1 -1 typ host", "port '-1'")]
    [TestCase("candidate:1 1 udp 4294967296 192.168.56.1 5 typ host", "priority")]
    [TestCase("candidate:1 1 udp 99999999999999999999999 192.168.56.1 5 typ host", "priority")]
    [TestCase("candidate:1 1 udp 1 192.168.56.1 5 typ foo", "type 'foo'")]
    [TestCase("candidate:1 1 sctp 1 192.168.56.1 5 typ host", "transport 'sctp'")]
    [TestCase("candidate:1 0 udp 1 192.168.56.1 5 typ host", "component")]
    [TestCase("candidate:1 257 udp 1 192.168.56.1 5 typ host", "component")]
    [TestCase("candidate:1 1 udp 1 192.168.56.1 5 typ host generation", "no value")]
    [TestCase("candidate:1 1 udp 1 192.168.56.1 5 typ host generation 0 ufrag", "no value")]
    [TestCase("candidate:1 1 udp 1 192.168.56.1 5 typ host generation x", "generation 'x'")]
    [TestCase("candidate:1 1 udp 1 192.168.56.1 5 typ host generation 0 generation 1", "twice")]
    [TestCase("candidate:1 1 udp 1 192.168.56.1 5 typ srflx raddr 1.2.3 rport 1", "related address")]
    [TestCase("candidate:1 1 udp 1 192.168.56.1 5 typ srflx raddr 1.2.3.4 rport 65536", "rport")]
    [TestCase("candidate:1 1 udp 1 192.168.56.1 5 typ host tcptype active", "TCP candidate")]
    [TestCase("candidate:1 1 tcp 1 192.168.56.1 5 typ host tcptype sideways", "tcptype 'sideways'")]
    [TestCase("candidate:1 1 udp 1 256.1.1.1 5 typ host", "IPv4")]
    [TestCase("candidate:1 1 udp 1 1.2.3 5 typ host", "IPv4")]
    [TestCase("candidate:1 1 udp 1 2001:db8::zz 5 typ host", "IPv6")]
    [TestCase("candidate:1 1 udp 1 fe80::1%eth0 5 typ host", "IPv6")]
    [TestCase("candidate:1 1 udp 1 host..local 5 typ host", "host name")]
    [TestCase("candidate:1 1 udp 1 a$b.local 5 typ host", "host name")]
    [TestCase("candidate:f-o-o 1 udp 1 1.2.3.4 5 typ host", "foundation")]
    [TestCase("candidate:123456789012345678901234567890123 1 udp 1 1.2.3.4 5 typ host", "foundation")]
    // A control character in the test name would hide the case from filtered runs, hence the explicit name.
    [TestCase("candidate:1 1 udp 1 1.2.3.4 5 typ host x\u0001y z", "control", TestName = "Rejects_malformed_candidates_with_a_message(control character in an extension)")]
    public void Rejects_malformed_candidates_with_a_message(string? text, string expectedInMessage)
    {
        Assert.That(RTCIceCandidate.TryParse(text, out var result, out var error), Is.False);
        Assert.That(result, Is.Null);
        Assert.That(error, Does.Contain(expectedInMessage));
        if (text is not null)
        {
            var ex = Assert.Throws<FormatException>(() => RTCIceCandidate.Parse(text));
            Assert.That(ex!.Message, Does.Contain(expectedInMessage));
        }
    }

    [Test]
    public void Rejects_a_huge_string_without_scanning_it()
    {
        var huge = ChromeHost + new string('x', 100_000);
        Assert.That(RTCIceCandidate.TryParse(huge, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("characters long"));
        Assert.Throws<FormatException>(() => RTCIceCandidate.Parse(huge));
    }

    [Test]
    public void Keeps_component_ids_other_than_rtp_and_rtcp()
    {
        var c = RTCIceCandidate.Parse("candidate:1 3 udp 1 1.2.3.4 5 typ host");
        Assert.Multiple(() =>
        {
            Assert.That(c.ComponentId, Is.EqualTo(3));
            Assert.That((int)c.Component, Is.EqualTo(3));
            Assert.That(RTCIceCandidate.Parse("candidate:1 2 udp 1 1.2.3.4 5 typ host").Component, Is.EqualTo(RTCIceComponent.Rtcp));
        });
    }

    [Test]
    public void Ufrag_extension_wins_over_the_one_given_beside_the_string()
    {
        var c = RTCIceCandidate.Parse(ChromeHost, "0", 0, "other");
        var d = RTCIceCandidate.Parse(ChromeSrflx, "1", 1, "zzzz");
        Assert.Multiple(() =>
        {
            Assert.That(c.UsernameFragment, Is.EqualTo("EEtu"));
            Assert.That(c.SdpMid, Is.EqualTo("0"));
            Assert.That(c.SdpMLineIndex, Is.Zero);
            Assert.That(d.UsernameFragment, Is.EqualTo("zzzz"));
            Assert.That(d.ToCandidateString(), Is.EqualTo(ChromeSrflx + " ufrag zzzz"));
        });
    }

    [Test]
    public void Parse_rejects_bad_location_arguments_with_argument_exceptions()
    {
        Assert.Throws<ArgumentException>(() => RTCIceCandidate.Parse(ChromeHost, "0", -1));
        Assert.Throws<ArgumentException>(() => RTCIceCandidate.Parse(ChromeHost, "0", 0, "a b"));
        Assert.That(RTCIceCandidate.TryParse(ChromeHost, "0", 65536, null, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("m-line index"));
    }

    [Test]
    public void Constructor_writes_extensions_in_canonical_order()
    {
        var c = new RTCIceCandidate("abc", 1, RTCIceProtocol.Udp, 1686052607, "203.0.113.7", 61001, RTCIceCandidateType.Srflx,
            relatedAddress: "192.168.1.5", relatedPort: 61001, generation: 0, usernameFragment: "EEtu", networkId: 2, networkCost: 10,
            sdpMid: "0", sdpMLineIndex: 0, extensions: [new("x-foo", "bar")]);
        Assert.That(c.ToCandidateString(), Is.EqualTo(
            "candidate:abc 1 udp 1686052607 203.0.113.7 61001 typ srflx raddr 192.168.1.5 rport 61001 generation 0 ufrag EEtu network-id 2 network-cost 10 x-foo bar"));
        Assert.That(RTCIceCandidate.Parse(c.ToCandidateString(), "0", 0), Is.EqualTo(c));
    }

    [Test]
    public void Constructor_writes_tcp_type()
    {
        var c = new RTCIceCandidate("1", 1, RTCIceProtocol.Tcp, 1518280447, "127.0.0.1", 9, RTCIceCandidateType.Host, tcpType: RTCIceTcpCandidateType.Passive);
        Assert.That(c.ToCandidateString(), Is.EqualTo("candidate:1 1 tcp 1518280447 127.0.0.1 9 typ host tcptype passive"));
    }

    [Test]
    public void Constructor_validates_fields()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => Host(foundation: ""));
            Assert.Throws<ArgumentException>(() => Host(foundation: "a b"));
            Assert.Throws<ArgumentException>(() => Host(componentId: 0));
            Assert.Throws<ArgumentException>(() => Host(address: "1.2.3"));
            Assert.Throws<ArgumentException>(() => Host(address: ""));
            Assert.Throws<ArgumentException>(() => Host(port: 65536));
            Assert.Throws<ArgumentException>(() => Host(port: -1));
            Assert.Throws<ArgumentException>(() => new RTCIceCandidate("1", 1, RTCIceProtocol.Udp, 1, "1.2.3.4", 1, RTCIceCandidateType.Host, tcpType: RTCIceTcpCandidateType.Active));
            Assert.Throws<ArgumentException>(() => new RTCIceCandidate("1", 1, (RTCIceProtocol)7, 1, "1.2.3.4", 1, RTCIceCandidateType.Host));
            Assert.Throws<ArgumentException>(() => new RTCIceCandidate("1", 1, RTCIceProtocol.Udp, 1, "1.2.3.4", 1, (RTCIceCandidateType)9));
            Assert.Throws<ArgumentException>(() => new RTCIceCandidate("1", 1, RTCIceProtocol.Udp, 1, "1.2.3.4", 1, RTCIceCandidateType.Host, generation: -1));
            Assert.Throws<ArgumentException>(() => new RTCIceCandidate("1", 1, RTCIceProtocol.Udp, 1, "1.2.3.4", 1, RTCIceCandidateType.Host, sdpMLineIndex: -1));
            Assert.Throws<ArgumentException>(() => new RTCIceCandidate("1", 1, RTCIceProtocol.Udp, 1, "1.2.3.4", 1, RTCIceCandidateType.Host, extensions: [new("generation", "1")]));
            Assert.Throws<ArgumentException>(() => new RTCIceCandidate("1", 1, RTCIceProtocol.Udp, 1, "1.2.3.4", 1, RTCIceCandidateType.Host, extensions: [new("x", "a b")]));
        });

        static RTCIceCandidate Host(string foundation = "1", int componentId = 1, string address = "1.2.3.4", int port = 1) =>
            new(foundation, componentId, RTCIceProtocol.Udp, 1, address, port, RTCIceCandidateType.Host);
    }

    [Test]
    public void Equality_covers_every_field()
    {
        var a = RTCIceCandidate.Parse(ChromeSrflx, "0", 0);
        Assert.Multiple(() =>
        {
            Assert.That(RTCIceCandidate.Parse(ChromeSrflx, "0", 0), Is.EqualTo(a));
            Assert.That(RTCIceCandidate.Parse(ChromeSrflx, "0", 0).GetHashCode(), Is.EqualTo(a.GetHashCode()));
            Assert.That(RTCIceCandidate.Parse(ChromeSrflx, "1", 0), Is.Not.EqualTo(a));
            Assert.That(RTCIceCandidate.Parse(ChromeSrflx.Replace("rport 61001", "rport 61002", StringComparison.Ordinal), "0", 0), Is.Not.EqualTo(a));
            Assert.That(RTCIceCandidate.Parse(ChromeSrflx + " x y", "0", 0), Is.Not.EqualTo(a));
            Assert.That(a.Equals(null), Is.False);
        });
    }

    [Test]
    public void WithSdpLocation_copies_the_candidate()
    {
        var a = RTCIceCandidate.Parse(ChromeTcp);
        var b = a.WithSdpLocation("audio", 1);
        Assert.Multiple(() =>
        {
            Assert.That(b.SdpMid, Is.EqualTo("audio"));
            Assert.That(b.SdpMLineIndex, Is.EqualTo(1));
            Assert.That(b.ToCandidateString(), Is.EqualTo(ChromeTcp));
            Assert.That(a.SdpMid, Is.Null);
            Assert.Throws<ArgumentOutOfRangeException>(() => a.WithSdpLocation(null, 70000));
        });
    }

    [Test]
    public void Init_round_trips_through_browser_json()
    {
        // The JSON a browser's RTCIceCandidate.toJSON() produces.
        const string json = "{\"candidate\":\"" + ChromeHost + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"EEtu\"}";
        var init = JsonSerializer.Deserialize<RTCIceCandidateInit>(json)!;
        Assert.That(init, Is.EqualTo(new RTCIceCandidateInit(ChromeHost, "0", 0, "EEtu")));
        Assert.That(RTCIceCandidate.IsEndOfCandidates(init), Is.False);

        var c = RTCIceCandidate.FromInit(init);
        Assert.That(c.SdpMid, Is.EqualTo("0"));
        Assert.That(c.ToJson(), Is.EqualTo(init));
        Assert.That(JsonSerializer.Serialize(c.ToJson()), Is.EqualTo(json));
    }

    [Test]
    public void Empty_candidate_means_end_of_candidates()
    {
        var end = JsonSerializer.Deserialize<RTCIceCandidateInit>("{\"candidate\":\"\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}")!;
        Assert.Multiple(() =>
        {
            Assert.That(RTCIceCandidate.IsEndOfCandidates(end), Is.True);
            Assert.That(RTCIceCandidate.IsEndOfCandidates(new RTCIceCandidateInit()), Is.True);
            Assert.That(RTCIceCandidate.IsEndOfCandidates(new RTCIceCandidateInit(null!)), Is.True);
            Assert.Throws<ArgumentException>(() => RTCIceCandidate.FromInit(end));
        });
    }

    [Test]
    public void FromInit_requires_a_mid_or_an_index()
    {
        // W3C webrtc-pc §4.8.1.1: both sdpMid and sdpMLineIndex null is a TypeError.
        Assert.Throws<ArgumentException>(() => RTCIceCandidate.FromInit(new RTCIceCandidateInit(ChromeHost)));
        Assert.That(RTCIceCandidate.FromInit(new RTCIceCandidateInit(ChromeHost, SdpMLineIndex: 2)).SdpMLineIndex, Is.EqualTo(2));
        Assert.Throws<FormatException>(() => RTCIceCandidate.FromInit(new RTCIceCandidateInit("candidate:x", "0")));
    }
}

public class IceCredentialsTests
{
    // RFC 8839 §5.4: ice-ufrag 4*256ice-char, ice-pwd 22*256ice-char, ice-char = ALPHA / DIGIT / "+" / "/".
    [TestCase("abcd", true)]
    [TestCase("a+/9", true)]
    [TestCase("abc", false)]
    [TestCase("ab-d", false)]
    [TestCase("ab d", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void Validates_ufrag(string? ufrag, bool valid) => Assert.That(IceCredentials.IsValidUfrag(ufrag), Is.EqualTo(valid));

    [Test]
    public void Validates_lengths_at_the_edges()
    {
        Assert.Multiple(() =>
        {
            Assert.That(IceCredentials.IsValidUfrag(new string('a', 256)), Is.True);
            Assert.That(IceCredentials.IsValidUfrag(new string('a', 257)), Is.False);
            Assert.That(IceCredentials.IsValidPwd(new string('a', 21)), Is.False);
            Assert.That(IceCredentials.IsValidPwd(new string('a', 22)), Is.True);
            Assert.That(IceCredentials.IsValidPwd(new string('a', 256)), Is.True);
            Assert.That(IceCredentials.IsValidPwd(new string('a', 257)), Is.False);
            Assert.That(IceCredentials.IsValidPwd(new string('a', 21) + "é"), Is.False);
            Assert.That(IceCredentials.IsValidPwd(null), Is.False);
        });
    }

    [Test]
    public void Generates_browser_sized_random_credentials()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 100; i++)
        {
            var c = IceCredentials.Generate();
            Assert.That(c.Ufrag, Has.Length.EqualTo(4));
            Assert.That(c.Pwd, Has.Length.EqualTo(24));
            Assert.That(IceCredentials.IsValidUfrag(c.Ufrag) && IceCredentials.IsValidPwd(c.Pwd), Is.True);
            seen.Add(c.Pwd);
        }
        Assert.That(seen, Has.Count.EqualTo(100));
    }

    [Test]
    public void Constructor_validates_and_ToString_hides_the_password()
    {
        Assert.Throws<ArgumentException>(() => _ = new IceCredentials("abc", new string('p', 22)));
        Assert.Throws<ArgumentException>(() => _ = new IceCredentials("abcd", "short"));
        Assert.Throws<ArgumentException>(() => _ = new IceCredentials(null!, new string('p', 22)));
        var c = new IceCredentials("abcd", "secretsecretsecretsecret");
        Assert.That(c.ToString(), Does.Contain("abcd").And.Not.Contain("secret"));
        Assert.That(c, Is.EqualTo(new IceCredentials("abcd", "secretsecretsecretsecret")));
    }
}
