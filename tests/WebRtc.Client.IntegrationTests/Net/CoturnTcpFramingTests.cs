using System.Collections.Concurrent;
using WebRtc.Client.IntegrationTests.Ice;
using WebRtc.Client.Net;
using WebRtc.Client.Stun;

// Not WebRtc.Client.IntegrationTests.Net: that namespace would shadow WebRtc.Client.Net for the
// tests that write Net.UdpSocket.
namespace WebRtc.Client.IntegrationTests;

/// <summary>The STUN framing of <see cref="FramedTcpConnection"/> against a real coturn over TCP and TLS (RFC 8656 §3.1).</summary>
public class CoturnTcpFramingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [TestCase(false)]
    [TestCase(true)]
    public async Task RequestsBackToBack_OverTcpOrTls_EachGetsItsResponse(bool tls)
    {
        await using var coturn = await CoturnServer.StartAsync(new CoturnOptions { Tls = tls });
        var options = new TcpConnectionOptions
        {
            Framing = TcpFraming.Stun,
            TlsTargetHost = tls ? "localhost" : null,
            TlsCertificateValidation = tls
                ? (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == coturn.Certificate!.GetCertHashString()
                : null,
        };
        await using var connection = await FramedTcpConnection.ConnectAsync(tls ? coturn.TlsEndPoint! : coturn.TcpEndPoint, options);

        var responses = new ConcurrentDictionary<StunTransactionId, StunMessage>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bad = new ConcurrentQueue<int>();
        connection.Start((_, frame) =>
        {
            if (!StunMessage.TryParse(frame, out var message))
            {
                bad.Enqueue(frame.Length);
                return;
            }

            responses[message!.TransactionId] = message;
            if (responses.Count == 4)
            {
                all.TrySetResult();
            }
        });

        // Three Binding requests and an unauthenticated Allocate, written back to back: coturn
        // must find each message boundary in the stream, and so must we in its answers.
        var bindings = Enumerable.Range(0, 3).Select(_ => new StunMessage(StunMessageType.BindingRequest)).ToList();
        var allocate = new StunMessage(new StunMessageType(StunMethod.Allocate, StunClass.Request));
        foreach (var request in bindings.Append(allocate))
        {
            Assert.That(connection.TrySend(request.ToArray()), Is.True);
        }

        await all.Task.WaitAsync(Timeout);
        Assert.That(bad, Is.Empty);
        foreach (var request in bindings)
        {
            var response = responses[request.TransactionId];
            Assert.That(response.Type, Is.EqualTo(StunMessageType.BindingSuccess));
            Assert.That(response.XorMappedAddress, Is.EqualTo(connection.LocalEndPoint), "coturn sees our TCP source address");
        }

        Assert.That(responses[allocate.TransactionId].Type.Class, Is.EqualTo(StunClass.ErrorResponse), "401: credentials needed");
        Assert.That(connection.FramesReceived, Is.EqualTo(4));
        Assert.That(connection.IsConnected, Is.True);
    }
}
