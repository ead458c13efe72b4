using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.Net;

/// <summary>TURN over TLS as the client sees it: an in-test TLS server with a self-signed certificate.</summary>
[TestFixture]
public class FramedTcpConnectionTlsTests
{
    private const string HostName = "turn.test";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private X509Certificate2 _certificate = null!;

    [OneTimeSetUp]
    public void CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={HostName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(HostName);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        // Through PKCS#12 so the private key is usable by SslStream on every platform.
        _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    [OneTimeTearDown]
    public void DisposeCertificate() => _certificate.Dispose();

    [Test]
    public async Task SelfSignedCertificate_AcceptedByCallback_FramesEchoBothWays()
    {
        await using var server = new TlsEchoServer(_certificate);
        int callbackCalls = 0;
        SslPolicyErrors seenErrors = SslPolicyErrors.None;
        var options = new TcpConnectionOptions
        {
            Framing = TcpFraming.Stun,
            TlsTargetHost = HostName,
            TlsCertificateValidation = (_, certificate, _, errors) =>
            {
                callbackCalls++;
                seenErrors = errors;
                return certificate is not null && certificate.GetCertHashString() == _certificate.GetCertHashString();
            },
        };

        await using var client = await FramedTcpConnection.ConnectAsync(server.EndPoint, options);
        Assert.That(callbackCalls, Is.EqualTo(1));
        Assert.That(seenErrors, Is.EqualTo(SslPolicyErrors.RemoteCertificateChainErrors), "self-signed, but for the right name");

        var rng = new Random(3);
        var frames = Enumerable.Range(0, 500).Select(_ => TcpStreams.RandomFrame(TcpFraming.Stun, rng, 1500)).ToList();
        var received = new List<byte[]>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Start((_, f) =>
        {
            received.Add(f.ToArray());
            if (received.Count == frames.Count)
            {
                done.TrySetResult();
            }
        });
        foreach (var frame in frames)
        {
            Assert.That(client.TrySend(frame.OnWire), Is.True);
        }

        await done.Task.WaitAsync(Wait);
        TcpStreams.AssertSameFrames(received, frames.Select(f => f.Delivered).ToList(), "echo");
        await client.DisposeAsync();
        Assert.That(await server.FramesEchoed.WaitAsync(Wait), Is.EqualTo(frames.Count));
    }

    [Test]
    public async Task SelfSignedCertificate_WithoutCallback_IsRefused()
    {
        using var server = new TlsEchoServer(_certificate);
        var options = new TcpConnectionOptions { Framing = TcpFraming.Stun, TlsTargetHost = HostName };
        await Assert.ThrowsAsync<AuthenticationException>(() => FramedTcpConnection.ConnectAsync(server.EndPoint, options));
    }

    [Test]
    public async Task CallbackSayingNo_IsRefused()
    {
        using var server = new TlsEchoServer(_certificate);
        var options = new TcpConnectionOptions
        {
            Framing = TcpFraming.Stun,
            TlsTargetHost = HostName,
            TlsCertificateValidation = (_, _, _, _) => false,
        };
        await Assert.ThrowsAsync<AuthenticationException>(() => FramedTcpConnection.ConnectAsync(server.EndPoint, options));
    }

    [Test]
    public async Task ServerThatNeverSpeaksTls_TimesOut()
    {
        // The kernel completes the TCP handshake for the backlog; nobody ever answers the ClientHello.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(1);
        var options = new TcpConnectionOptions
        {
            Framing = TcpFraming.Stun,
            TlsTargetHost = HostName,
            TlsCertificateValidation = (_, _, _, _) => true,
            ConnectTimeout = TimeSpan.FromMilliseconds(300),
        };
        await Assert.ThrowsAsync<TimeoutException>(() => FramedTcpConnection.ConnectAsync((IPEndPoint)silent.LocalEndPoint!, options));
    }

    /// <summary>Accepts one TLS connection and echoes each STUN/ChannelData frame back, padded again.</summary>
    private sealed class TlsEchoServer : IDisposable, IAsyncDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly TaskCompletionSource<int> _echoed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _run;

        public TlsEchoServer(X509Certificate2 certificate)
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(1);
            EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
            _run = RunAsync(certificate);
        }

        public IPEndPoint EndPoint { get; }

        /// <summary>Frames echoed when the client closed.</summary>
        public Task<int> FramesEchoed => _echoed.Task;

        public void Dispose() => _listener.Dispose();

        public async ValueTask DisposeAsync()
        {
            Dispose();
            await _run;
        }

        private async Task RunAsync(X509Certificate2 certificate)
        {
            int echoed = 0;
            try
            {
                using var socket = await _listener.AcceptAsync();
                await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate });
                using var reader = new TcpFrameReader(TcpFraming.Stun);
                while (true)
                {
                    int n = await tls.ReadAsync(reader.GetReadBuffer());
                    if (n == 0)
                    {
                        break;
                    }

                    reader.Advance(n);
                    foreach (var frame in Drain(reader))
                    {
                        var padded = new byte[(frame.Length + 3) & ~3];
                        frame.CopyTo(padded, 0);
                        await tls.WriteAsync(frame[0] >= 0x40 ? padded : frame);
                        echoed++;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or AuthenticationException)
            {
                // Refused handshakes and the client going away end the server.
            }
            finally
            {
                _echoed.TrySetResult(echoed);
            }
        }

        private static List<byte[]> Drain(TcpFrameReader reader)
        {
            var frames = new List<byte[]>();
            while (reader.TryReadFrame(out var frame) == TcpFrameStatus.Frame)
            {
                frames.Add(frame.ToArray());
            }

            return frames;
        }
    }
}
