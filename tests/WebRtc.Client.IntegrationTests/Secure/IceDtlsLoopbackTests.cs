using System.Collections.Concurrent;
using System.Net;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Srtp;

namespace WebRtc.Client.IntegrationTests.Secure;

/// <summary>ICE and DTLS together on real loopback sockets: the stack up to keyed SRTP.</summary>
public class IceDtlsLoopbackTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Two ICE transports connected over 127.0.0.1 (offerer controlling), plus their certificates.</summary>
    internal sealed class Endpoints : IAsyncDisposable
    {
        public required IceTransport OffererIce { get; init; }

        public required IceTransport AnswererIce { get; init; }

        public RTCCertificate OffererCertificate { get; } = RTCCertificate.Generate();

        public RTCCertificate AnswererCertificate { get; } = RTCCertificate.Generate();

        /// <summary>Connects; a port range (both ends bind inside it) lets a test aim firewall rules at this pair only.</summary>
        public static async Task<Endpoints> ConnectAsync(int? minPort = null, int? maxPort = null)
        {
            var endpoints = new Endpoints
            {
                OffererIce = new IceTransport(new IceTransportOptions { Controlling = true, BindAddresses = [IPAddress.Loopback], MinPort = minPort, MaxPort = maxPort }),
                AnswererIce = new IceTransport(new IceTransportOptions { BindAddresses = [IPAddress.Loopback], MinPort = minPort, MaxPort = maxPort }),
            };
            var connected = Task.WhenAll(
                Connected(endpoints.OffererIce),
                Connected(endpoints.AnswererIce));
            Wire(endpoints.OffererIce, endpoints.AnswererIce);
            Wire(endpoints.AnswererIce, endpoints.OffererIce);
            await endpoints.OffererIce.GatherAsync();
            await endpoints.AnswererIce.GatherAsync();
            await connected.WaitAsync(Timeout);
            return endpoints;
        }

        public async ValueTask DisposeAsync()
        {
            await OffererIce.DisposeAsync();
            await AnswererIce.DisposeAsync();
        }

        private static void Wire(IceTransport from, IceTransport to)
        {
            from.CandidateGathered += (_, c) => _ = to.AddRemoteCandidateAsync(c);
            to.SetRemoteCredentials(from.LocalCredentials.Ufrag, from.LocalCredentials.Pwd);
        }

        private static Task Connected(IceTransport transport)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            transport.SelectedPairChanged += (_, pair) =>
            {
                if (pair is not null)
                {
                    done.TrySetResult();
                }
            };
            return done.Task;
        }
    }

    [Test]
    public async Task DtlsOverIceKeysSrtpAndSrtcpBothWaysAndCarriesData()
    {
        await using var endpoints = await Endpoints.ConnectAsync();

        // RFC 8842: the offerer says actpass, the answerer answers active and becomes the DTLS client.
        var offererRole = DtlsTransport.ResolveRole(DtlsSetup.ActPass, DtlsSetup.Active, localIsOfferer: true);
        var answererRole = DtlsTransport.ResolveRole(DtlsSetup.Active, DtlsSetup.ActPass, localIsOfferer: false);
        Assert.That((offererRole, answererRole), Is.EqualTo((DtlsRole.Server, DtlsRole.Client)));

        await using var offerer = new DtlsTransport(endpoints.OffererIce.Dtls, endpoints.OffererCertificate);
        await using var answerer = new DtlsTransport(endpoints.AnswererIce.Dtls, endpoints.AnswererCertificate);
        await Task.WhenAll(
            offerer.StartAsync(offererRole, endpoints.AnswererCertificate.GetFingerprint("sha-256")),
            answerer.StartAsync(answererRole, endpoints.OffererCertificate.GetFingerprint("sha-256"))).WaitAsync(Timeout);

        Assert.Multiple(() =>
        {
            Assert.That(offerer.State, Is.EqualTo(DtlsTransportState.Connected));
            Assert.That(answerer.State, Is.EqualTo(DtlsTransportState.Connected));
            Assert.That(offerer.SrtpProfile, Is.EqualTo(SrtpProfile.AeadAes128Gcm));
            Assert.That(answerer.SrtpProfile, Is.EqualTo(SrtpProfile.AeadAes128Gcm));
        });

        // SRTP and SRTCP both ways over the ICE pair, keyed from the DTLS export (RFC 5764 §4.2),
        // each side split by its own DTLS role.
        var offererKeys = offerer.GetSrtpKeyingMaterial();
        var answererKeys = answerer.GetSrtpKeyingMaterial();
        using var offererOut = offererKeys.CreateLocalContext();
        using var offererIn = offererKeys.CreateRemoteContext();
        using var answererOut = answererKeys.CreateLocalContext();
        using var answererIn = answererKeys.CreateRemoteContext();
        AssertSecureMediaFlows(endpoints.OffererIce, offererOut, endpoints.AnswererIce, answererIn);
        AssertSecureMediaFlows(endpoints.AnswererIce, answererOut, endpoints.OffererIce, offererIn);

        var received = new BlockingCollection<byte[]>();
        offerer.Receiver = d => received.Add(d.ToArray());
        byte[] message = [.. Enumerable.Range(0, 1000).Select(i => (byte)i)];
        Assert.That(answerer.TrySend(message), Is.True);
        Assert.That(received.TryTake(out var got, Timeout), Is.True);
        Assert.That(got, Is.EqualTo(message));
    }

    private static void AssertSecureMediaFlows(IceTransport from, SrtpContext protect, IceTransport to, SrtpContext unprotect)
    {
        var plain = new BlockingCollection<byte[]>();
        to.Rtp.Receiver = datagram =>
        {
            var copy = datagram.ToArray();
            bool rtcp = copy.Length > 1 && copy[1] is >= 200 and <= 207;
            bool ok = rtcp
                ? unprotect.TryUnprotectRtcp(copy, copy.Length, out int length)
                : unprotect.TryUnprotectRtp(copy, copy.Length, out length);
            plain.Add(ok ? copy[..length] : []);
        };

        byte[] rtp = [0x80, 111, 0x12, 0x34, 0, 0, 0x10, 0, 0xDE, 0xAD, 0xBE, 0xEF, .. Enumerable.Range(0, 160).Select(i => (byte)i)];
        byte[] rtcp = [0x81, 201, 0, 7, 0xDE, 0xAD, 0xBE, 0xEF, 0xCA, 0xFE, 0xBA, 0xBE, .. new byte[24]];
        foreach (var (packet, isRtcp) in new[] { (rtp, false), (rtcp, true) })
        {
            var buffer = new byte[packet.Length + 64];
            packet.CopyTo(buffer, 0);
            bool protectedOk = isRtcp
                ? protect.TryProtectRtcp(buffer, packet.Length, out int length)
                : protect.TryProtectRtp(buffer, packet.Length, out length);
            Assert.That(protectedOk, Is.True);
            Assert.That(buffer[..length], Is.Not.EqualTo(packet), "encrypted on the wire");
            Assert.That(from.Rtp.TrySend(buffer.AsSpan(0, length)), Is.True);
            Assert.That(plain.TryTake(out var got, Timeout), Is.True);
            Assert.That(got, Is.EqualTo(packet), isRtcp ? "SRTCP" : "SRTP");
        }

        to.Rtp.Receiver = null;
    }

    [Test]
    public async Task WrongFingerprintFailsTheHandshakeOverIce()
    {
        await using var endpoints = await Endpoints.ConnectAsync();
        var attacker = RTCCertificate.Generate();
        await using var offerer = new DtlsTransport(endpoints.OffererIce.Dtls, endpoints.OffererCertificate);
        await using var answerer = new DtlsTransport(endpoints.AnswererIce.Dtls, endpoints.AnswererCertificate);

        // The answerer expects a fingerprint that is not the offerer's certificate.
        var server = offerer.StartAsync(DtlsRole.Server, endpoints.AnswererCertificate.GetFingerprint("sha-256"));
        var client = answerer.StartAsync(DtlsRole.Client, attacker.GetFingerprint("sha-256"));
        var error = await Assert.ThrowsAsync<DtlsException>(async () => await client.WaitAsync(Timeout));
        Assert.That(error!.Message, Does.Contain("fingerprint"));
        await Assert.ThrowsAsync<DtlsException>(async () => await server.WaitAsync(Timeout));
        Assert.That(answerer.State, Is.EqualTo(DtlsTransportState.Failed));
        Assert.That(offerer.State, Is.EqualTo(DtlsTransportState.Failed));
    }
}
