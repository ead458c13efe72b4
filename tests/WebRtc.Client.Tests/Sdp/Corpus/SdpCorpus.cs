namespace WebRtc.Client.Tests.Sdp.Corpus;

// Browser session descriptions in the shape Chromium 156 and Firefox write them (see DESIGN.md "Tests"),
// with this repository's own ids, credentials and fingerprints. Raw literals hold LF endings; use Crlf().
internal static class SdpCorpus
{
    // Chromium offer: audio + video + data, candidates per m-line before BUNDLE is accepted, trickle.
    public const string ChromeAudioVideoDataOffer = """
v=0
o=- 4611731400430051336 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0 1 2
a=extmap-allow-mixed
a=msid-semantic: WMS 9d2b3f4e-61a7-4c3e-9a55-0f6c2d1e8b70
m=audio 41853 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
c=IN IP4 127.0.0.1
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:3721044562 1 udp 2122260223 127.0.0.1 41853 typ host generation 0 network-id 1 network-cost 10
a=candidate:2318563218 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 network-id 1 network-cost 10
a=ice-ufrag:Zr7q
a=ice-pwd:k3Jd9LqX2vWn0pT5sYbH8mQe
a=ice-options:trickle
a=fingerprint:sha-256 11:8F:98:37:73:B7:7B:57:51:DD:B7:48:45:3A:12:73:1A:26:34:1C:CB:EF:9C:0D:E2:91:7A:C7:21:1E:3F:7F
a=setup:actpass
a=mid:0
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=sendrecv
a=msid:9d2b3f4e-61a7-4c3e-9a55-0f6c2d1e8b70 5c1e0a7b-33f2-4d8e-b6a1-7e2f9c4d0a13
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:111 opus/48000/2
a=rtcp-fb:111 transport-cc
a=fmtp:111 minptime=10;useinbandfec=1
a=rtpmap:63 red/48000/2
a=fmtp:63 111/111
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:13 CN/8000
a=rtpmap:110 telephone-event/48000
a=rtpmap:126 telephone-event/8000
a=ssrc:2803641921 cname:qV3lWm8sTfR2aYc1
a=ssrc:2803641921 msid:9d2b3f4e-61a7-4c3e-9a55-0f6c2d1e8b70 5c1e0a7b-33f2-4d8e-b6a1-7e2f9c4d0a13
m=video 52907 UDP/TLS/RTP/SAVPF 96 97 103 104 107 108 109 114 115 116 45 46 98 99 100 101 117 118 119
c=IN IP4 127.0.0.1
a=rtcp:9 IN IP4 0.0.0.0
a=candidate:3721044562 1 udp 2122260223 127.0.0.1 52907 typ host generation 0 network-id 1 network-cost 10
a=candidate:2318563218 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 network-id 1 network-cost 10
a=ice-ufrag:Zr7q
a=ice-pwd:k3Jd9LqX2vWn0pT5sYbH8mQe
a=ice-options:trickle
a=fingerprint:sha-256 11:8F:98:37:73:B7:7B:57:51:DD:B7:48:45:3A:12:73:1A:26:34:1C:CB:EF:9C:0D:E2:91:7A:C7:21:1E:3F:7F
a=setup:actpass
a=mid:1
a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:13 urn:3gpp:video-orientation
a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
a=sendrecv
a=msid:9d2b3f4e-61a7-4c3e-9a55-0f6c2d1e8b70 e07d5b2c-8a41-4f96-a3d0-1b6c7e9f2a58
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:96 VP8/90000
a=rtcp-fb:96 goog-remb
a=rtcp-fb:96 transport-cc
a=rtcp-fb:96 ccm fir
a=rtcp-fb:96 nack
a=rtcp-fb:96 nack pli
a=rtpmap:97 rtx/90000
a=fmtp:97 apt=96
a=rtpmap:103 H264/90000
a=rtcp-fb:103 goog-remb
a=rtcp-fb:103 transport-cc
a=rtcp-fb:103 ccm fir
a=rtcp-fb:103 nack
a=rtcp-fb:103 nack pli
a=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
a=rtpmap:104 rtx/90000
a=fmtp:104 apt=103
a=rtpmap:107 H264/90000
a=rtcp-fb:107 goog-remb
a=rtcp-fb:107 transport-cc
a=rtcp-fb:107 ccm fir
a=rtcp-fb:107 nack
a=rtcp-fb:107 nack pli
a=fmtp:107 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
a=rtpmap:108 rtx/90000
a=fmtp:108 apt=107
a=rtpmap:109 H264/90000
a=rtcp-fb:109 goog-remb
a=rtcp-fb:109 transport-cc
a=rtcp-fb:109 ccm fir
a=rtcp-fb:109 nack
a=rtcp-fb:109 nack pli
a=fmtp:109 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
a=rtpmap:114 rtx/90000
a=fmtp:114 apt=109
a=rtpmap:115 H264/90000
a=rtcp-fb:115 goog-remb
a=rtcp-fb:115 transport-cc
a=rtcp-fb:115 ccm fir
a=rtcp-fb:115 nack
a=rtcp-fb:115 nack pli
a=fmtp:115 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
a=rtpmap:116 rtx/90000
a=fmtp:116 apt=115
a=rtpmap:45 AV1/90000
a=rtcp-fb:45 goog-remb
a=rtcp-fb:45 transport-cc
a=rtcp-fb:45 ccm fir
a=rtcp-fb:45 nack
a=rtcp-fb:45 nack pli
a=fmtp:45 level-idx=5;profile=0;tier=0
a=rtpmap:46 rtx/90000
a=fmtp:46 apt=45
a=rtpmap:98 VP9/90000
a=rtcp-fb:98 goog-remb
a=rtcp-fb:98 transport-cc
a=rtcp-fb:98 ccm fir
a=rtcp-fb:98 nack
a=rtcp-fb:98 nack pli
a=fmtp:98 profile-id=0
a=rtpmap:99 rtx/90000
a=fmtp:99 apt=98
a=rtpmap:100 VP9/90000
a=rtcp-fb:100 goog-remb
a=rtcp-fb:100 transport-cc
a=rtcp-fb:100 ccm fir
a=rtcp-fb:100 nack
a=rtcp-fb:100 nack pli
a=fmtp:100 profile-id=2
a=rtpmap:101 rtx/90000
a=fmtp:101 apt=100
a=rtpmap:117 red/90000
a=rtpmap:118 rtx/90000
a=fmtp:118 apt=117
a=rtpmap:119 ulpfec/90000
a=rtcp-xr:rcvr-rtt=all
a=ssrc-group:FID 1697281144 3310762785
a=ssrc:1697281144 cname:qV3lWm8sTfR2aYc1
a=ssrc:1697281144 msid:9d2b3f4e-61a7-4c3e-9a55-0f6c2d1e8b70 e07d5b2c-8a41-4f96-a3d0-1b6c7e9f2a58
a=ssrc:3310762785 cname:qV3lWm8sTfR2aYc1
a=ssrc:3310762785 msid:9d2b3f4e-61a7-4c3e-9a55-0f6c2d1e8b70 e07d5b2c-8a41-4f96-a3d0-1b6c7e9f2a58
m=application 36214 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 127.0.0.1
a=candidate:3721044562 1 udp 2122260223 127.0.0.1 36214 typ host generation 0 network-id 1 network-cost 10
a=candidate:2318563218 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 network-id 1 network-cost 10
a=ice-ufrag:Zr7q
a=ice-pwd:k3Jd9LqX2vWn0pT5sYbH8mQe
a=ice-options:trickle
a=fingerprint:sha-256 11:8F:98:37:73:B7:7B:57:51:DD:B7:48:45:3A:12:73:1A:26:34:1C:CB:EF:9C:0D:E2:91:7A:C7:21:1E:3F:7F
a=setup:actpass
a=mid:2
a=sctp-port:5000
a=max-message-size:262144
""";

    // Chromium data-channel-only offer before gathering (port 9, no candidates).
    public const string ChromeDataOffer = """
v=0
o=- 7203985518221347712 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0
a=extmap-allow-mixed
a=msid-semantic: WMS
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=ice-ufrag:uT4x
a=ice-pwd:N8b2QwErTy6uIoP0aSdF3gHj
a=ice-options:trickle
a=fingerprint:sha-256 3C:03:F1:DA:45:57:A1:DC:D7:96:88:21:9B:3C:BE:C7:0D:8B:98:E0:CC:4D:CA:4E:E2:F3:E7:96:A1:25:A9:72
a=setup:actpass
a=mid:0
a=sctp-port:5000
a=max-message-size:262144
""";

    // Chromium answer to a data-only offer: setup active, loopback candidates.
    public const string ChromeDataAnswer = """
v=0
o=- 3318042566197751903 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE 0
a=extmap-allow-mixed
a=msid-semantic: WMS
m=application 47212 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 127.0.0.1
a=candidate:1840965238 1 udp 2122260223 127.0.0.1 47212 typ host generation 0 network-id 1 network-cost 10
a=candidate:398432466 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 network-id 1 network-cost 10
a=ice-ufrag:pQ3s
a=ice-pwd:Wc5hX1zV7bN9mK2jL4gF6dSa
a=ice-options:trickle
a=fingerprint:sha-256 42:2E:8A:0B:EF:63:43:E4:3E:28:9B:C7:B7:F8:ED:9B:52:CE:98:B2:F8:44:9D:45:F2:62:2E:F8:92:24:F6:A6
a=setup:active
a=mid:0
a=sctp-port:5000
a=max-message-size:262144
""";

    // Firefox offer: session-level fingerprint, audio + video + data, max-message-size 1073741823.
    public const string FirefoxAudioVideoDataOffer = """
v=0
o=mozilla...THIS_IS_SDPARTA-140.0 5981042339165228617 0 IN IP4 0.0.0.0
s=-
t=0 0
a=fingerprint:sha-256 FF:4C:E6:BA:3F:53:8F:D9:DE:DC:FE:6C:21:3F:A9:CE:70:14:BB:18:79:D9:C0:94:BB:4B:AB:E2:9A:A1:97:4F
a=group:BUNDLE 0 1 2
a=ice-options:trickle
a=msid-semantic:WMS *
m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101
c=IN IP4 0.0.0.0
a=sendrecv
a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1
a=fmtp:101 0-15
a=ice-pwd:6f2b9c41d07e83a5b1c4e9f2a7d30856
a=ice-ufrag:3e8a1d7c
a=mid:0
a=msid:{4c9e2a71-5b3d-4f08-9e6a-c1d27b83f950} {a06d13e8-7f42-4b95-8c1a-2e9f5d7b4c36}
a=rtcp-mux
a=rtpmap:109 opus/48000/2
a=rtpmap:9 G722/8000/1
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=setup:actpass
a=ssrc:3094225158 cname:{e5b71c02-9d4a-4a36-b8f3-6c20d91e7a45}
m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125 126 127 97 98
c=IN IP4 0.0.0.0
a=sendrecv
a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
a=extmap:5 urn:ietf:params:rtp-hdrext:toffset
a=extmap:6/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1
a=fmtp:97 profile-level-id=42e01f;level-asymmetry-allowed=1
a=fmtp:120 max-fs=12288;max-fr=60
a=fmtp:124 apt=120
a=fmtp:121 max-fs=12288;max-fr=60
a=fmtp:125 apt=121
a=fmtp:127 apt=126
a=fmtp:98 apt=97
a=ice-pwd:6f2b9c41d07e83a5b1c4e9f2a7d30856
a=ice-ufrag:3e8a1d7c
a=mid:1
a=msid:{4c9e2a71-5b3d-4f08-9e6a-c1d27b83f950} {0b7f4e19-c2a8-4d63-95e0-7a1c3f8d2b64}
a=rtcp-fb:120 nack
a=rtcp-fb:120 nack pli
a=rtcp-fb:120 ccm fir
a=rtcp-fb:120 goog-remb
a=rtcp-fb:120 transport-cc
a=rtcp-fb:121 nack
a=rtcp-fb:121 nack pli
a=rtcp-fb:121 ccm fir
a=rtcp-fb:121 goog-remb
a=rtcp-fb:121 transport-cc
a=rtcp-fb:126 nack
a=rtcp-fb:126 nack pli
a=rtcp-fb:126 ccm fir
a=rtcp-fb:126 goog-remb
a=rtcp-fb:126 transport-cc
a=rtcp-fb:97 nack
a=rtcp-fb:97 nack pli
a=rtcp-fb:97 ccm fir
a=rtcp-fb:97 goog-remb
a=rtcp-fb:97 transport-cc
a=rtcp-mux
a=rtcp-rsize
a=rtpmap:120 VP8/90000
a=rtpmap:124 rtx/90000
a=rtpmap:121 VP9/90000
a=rtpmap:125 rtx/90000
a=rtpmap:126 H264/90000
a=rtpmap:127 rtx/90000
a=rtpmap:97 H264/90000
a=rtpmap:98 rtx/90000
a=setup:actpass
a=ssrc:2215846410 cname:{e5b71c02-9d4a-4a36-b8f3-6c20d91e7a45}
a=ssrc:1489034197 cname:{e5b71c02-9d4a-4a36-b8f3-6c20d91e7a45}
a=ssrc-group:FID 2215846410 1489034197
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=sendrecv
a=ice-pwd:6f2b9c41d07e83a5b1c4e9f2a7d30856
a=ice-ufrag:3e8a1d7c
a=mid:2
a=setup:actpass
a=sctp-port:5000
a=max-message-size:1073741823
""";

    // Firefox data-only answer, non-trickle with end-of-candidates.
    public const string FirefoxDataAnswer = """
v=0
o=mozilla...THIS_IS_SDPARTA-140.0 2470815936224081538 0 IN IP4 0.0.0.0
s=-
t=0 0
a=fingerprint:sha-256 8A:00:CD:71:47:A4:62:E8:DB:F2:F8:81:90:8D:C9:97:2D:1C:BD:AF:9D:19:08:25:C4:CA:0C:13:3A:9B:05:0C
a=group:BUNDLE 0
a=ice-options:trickle
a=msid-semantic:WMS *
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=candidate:0 1 UDP 2122252543 127.0.0.1 58301 typ host
a=candidate:1 1 TCP 2105524479 127.0.0.1 9 typ host tcptype active
a=sendrecv
a=end-of-candidates
a=ice-pwd:0d8e4b1f7a29c36e5b80f4d12a9c7e63
a=ice-ufrag:b7c2f910
a=mid:0
a=setup:active
a=sctp-port:5000
a=max-message-size:1073741823
""";

    // Firefox data-only offer (RFC 8841 form): session-level fingerprint, max-message-size 1073741823.
    public const string FirefoxDataOffer = """
v=0
o=mozilla...THIS_IS_SDPARTA-140.0 7029414931932373812 0 IN IP4 0.0.0.0
s=-
t=0 0
a=fingerprint:sha-256 27:8B:7B:D6:9C:D0:56:6D:29:F6:E9:18:A4:86:4C:74:CC:79:C3:B5:0A:F5:2D:D6:23:F7:05:D4:5D:C8:31:C9
a=group:BUNDLE 0
a=ice-options:trickle
a=msid-semantic:WMS *
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
c=IN IP4 0.0.0.0
a=sendrecv
a=ice-pwd:e1d768a175e6c099223546428393ca29
a=ice-ufrag:c6ae693b
a=mid:0
a=setup:actpass
a=sctp-port:5000
a=max-message-size:1073741823
""";

    // Chrome before the RFC 8841 form (about M57, use_sctpmap): draft-05's "m=application <port> DTLS/SCTP 5000"
    // with "a=sctpmap:5000 webrtc-datachannel 1024" (1024 = libwebrtc's kMaxSctpStreams), mid "data", one host candidate.
    public const string LegacyChromeDataOffer = """
v=0
o=- 2562111967667631223 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE data
a=msid-semantic: WMS
m=application 50712 DTLS/SCTP 5000
c=IN IP4 127.0.0.1
a=candidate:3120456615 1 udp 2113937151 127.0.0.1 50712 typ host generation 0 network-cost 50
a=ice-ufrag:Lg7c
a=ice-pwd:Tq4wZ8xN1vB6mK3pR9sY2hJd
a=ice-options:trickle
a=fingerprint:sha-256 2A:B8:5E:6E:65:6C:2B:62:7E:55:77:CF:82:33:77:1C:AC:5E:FA:E2:41:7A:FE:38:48:39:EB:71:AD:D9:87:01
a=setup:actpass
a=mid:data
a=sctpmap:5000 webrtc-datachannel 1024
""";

    // That Chrome's answer in the same form: setup active, b=AS:30 as it wrote for data.
    public const string LegacyChromeDataAnswer = """
v=0
o=- 5412243676369676206 2 IN IP4 127.0.0.1
s=-
t=0 0
a=group:BUNDLE data
a=msid-semantic: WMS
m=application 4933 DTLS/SCTP 5000
c=IN IP4 127.0.0.1
b=AS:30
a=candidate:1097199232 1 udp 2113937151 127.0.0.1 4933 typ host generation 0 network-cost 50
a=ice-ufrag:Vn2e
a=ice-pwd:Jf6tWq1zXc8bNm3kLs5gHd7A
a=ice-options:trickle
a=fingerprint:sha-256 52:49:74:D7:08:0A:65:18:56:60:7C:97:12:26:9E:B5:FE:CC:95:BD:38:46:C7:35:4B:C8:3C:07:56:BB:60:DF
a=setup:active
a=mid:data
a=sctpmap:5000 webrtc-datachannel 1024
""";

    // Firefox before the RFC 8841 form: draft-05's DTLS/SCTP 5000 with "a=sctpmap:5000 webrtc-datachannel 256"
    // (256 streams), mid "sdparta_0", fingerprint at session level.
    public const string LegacyFirefoxDataOffer = """
v=0
o=mozilla...THIS_IS_SDPARTA-52.0 1699505270502107 0 IN IP4 0.0.0.0
s=-
t=0 0
a=fingerprint:sha-256 BF:79:56:28:82:A0:E4:80:E8:76:98:94:DC:0F:EE:BF:5A:E5:A4:F8:75:FA:1B:53:86:32:D7:F0:CE:34:43:BD
a=group:BUNDLE sdparta_0
a=ice-options:trickle
a=msid-semantic:WMS *
m=application 9 DTLS/SCTP 5000
c=IN IP4 0.0.0.0
a=sendrecv
a=ice-pwd:1699a50d70f502bd0727fc2b65f1ecb0
a=ice-ufrag:0727fc2b
a=mid:sdparta_0
a=sctpmap:5000 webrtc-datachannel 256
a=setup:actpass
""";

    public static IEnumerable<TestCaseData> All()
    {
        yield return new TestCaseData(ChromeAudioVideoDataOffer).SetArgDisplayNames("ChromeAudioVideoDataOffer");
        yield return new TestCaseData(ChromeDataOffer).SetArgDisplayNames("ChromeDataOffer");
        yield return new TestCaseData(ChromeDataAnswer).SetArgDisplayNames("ChromeDataAnswer");
        yield return new TestCaseData(FirefoxAudioVideoDataOffer).SetArgDisplayNames("FirefoxAudioVideoDataOffer");
        yield return new TestCaseData(FirefoxDataAnswer).SetArgDisplayNames("FirefoxDataAnswer");
        yield return new TestCaseData(FirefoxDataOffer).SetArgDisplayNames("FirefoxDataOffer");
        yield return new TestCaseData(LegacyChromeDataOffer).SetArgDisplayNames("LegacyChromeDataOffer");
        yield return new TestCaseData(LegacyChromeDataAnswer).SetArgDisplayNames("LegacyChromeDataAnswer");
        yield return new TestCaseData(LegacyFirefoxDataOffer).SetArgDisplayNames("LegacyFirefoxDataOffer");
    }

    // CRLF line endings, each line terminated, as browsers send them.
    public static string Crlf(string lfText) => lfText.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n";
}
