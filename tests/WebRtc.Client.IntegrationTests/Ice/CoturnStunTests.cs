using System.Collections.Concurrent;
using System.Net;
using WebRtc.Client.Ice;
using WebRtc.Client.Stun;

namespace WebRtc.Client.IntegrationTests.Ice;

/// <summary>Server-reflexive gathering against a real coturn on loopback.</summary>
public class CoturnStunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static async Task<(List<RTCIceCandidate> Candidates, List<IceCandidateErrorEvent> Errors)> GatherAsync(IceTransportOptions options)
    {
        await using var transport = new IceTransport(options);
        var candidates = new ConcurrentQueue<RTCIceCandidate>();
        var errors = new ConcurrentQueue<IceCandidateErrorEvent>();
        var complete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.CandidateGathered += (_, c) => candidates.Enqueue(c);
        transport.CandidateError += (_, e) => errors.Enqueue(e);
        transport.GatheringStateChanged += (_, s) =>
        {
            if (s == RTCIceGatheringState.Complete)
            {
                complete.TrySetResult();
            }
        };
        await transport.GatherAsync();
        await complete.Task.WaitAsync(Timeout);
        return ([.. candidates], [.. errors]);
    }

    [Test]
    public async Task GathersServerReflexiveCandidateFromCoturn()
    {
        await using var coturn = await CoturnServer.StartAsync();
        var (candidates, errors) = await GatherAsync(new IceTransportOptions
        {
            BindAddresses = [IPAddress.Loopback],
            StunServers = [coturn.EndPoint],
            Tuning = new IceAgentTuning { KeepRedundantServerReflexive = true },
        });

        Assert.That(errors, Is.Empty);
        var host = candidates.Single(c => c.Type == RTCIceCandidateType.Host);
        var srflx = candidates.Single(c => c.Type == RTCIceCandidateType.Srflx);
        Assert.Multiple(() =>
        {
            // No NAT on loopback: coturn sees the host address itself.
            Assert.That(srflx.Address, Is.EqualTo("127.0.0.1"));
            Assert.That(srflx.Port, Is.EqualTo(host.Port));
            Assert.That(srflx.RelatedAddress, Is.EqualTo("127.0.0.1"));
            Assert.That(srflx.RelatedPort, Is.EqualTo(host.Port));
            Assert.That(srflx.Priority, Is.LessThan(host.Priority));
            Assert.That(srflx.Foundation, Is.Not.EqualTo(host.Foundation));
            Assert.That(RTCIceCandidate.Parse(srflx.Candidate), Is.EqualTo(srflx));
        });
    }

    [Test]
    public async Task GathersServerReflexiveCandidateBehindANat()
    {
        // A real NAT (nftables masquerade between namespaces the test made): coturn sees the
        // translated address, so the srflx candidate differs from the host one, as on the Internet.
        await using var nat = await NatTestNetwork.CreateAsync();
        await using var coturn = await CoturnServer.StartAsync(NatTestNetwork.ServerAddress, nat.ServerNamespace);
        var (candidates, errors) = await GatherAsync(new IceTransportOptions
        {
            BindAddresses = [NatTestNetwork.PrivateAddress],
            StunServers = [coturn.EndPoint],
        });

        Assert.That(errors, Is.Empty);
        var host = candidates.Single(c => c.Type == RTCIceCandidateType.Host);
        var srflx = candidates.Single(c => c.Type == RTCIceCandidateType.Srflx);
        Assert.Multiple(() =>
        {
            Assert.That(host.Address, Is.EqualTo(NatTestNetwork.PrivateAddress.ToString()));
            Assert.That(srflx.Address, Is.EqualTo(NatTestNetwork.NatAddress.ToString()));
            Assert.That(srflx.RelatedAddress, Is.EqualTo(host.Address));
            Assert.That(srflx.RelatedPort, Is.EqualTo(host.Port));
            Assert.That(srflx.Priority, Is.LessThan(host.Priority));
        });
    }

    [Test]
    public async Task RedundantServerReflexiveIsDroppedByDefault()
    {
        // RFC 8445 §5.1.3: a srflx candidate equal to the host candidate is redundant.
        await using var coturn = await CoturnServer.StartAsync();
        var (candidates, errors) = await GatherAsync(new IceTransportOptions
        {
            BindAddresses = [IPAddress.Loopback],
            StunServers = [coturn.EndPoint],
        });

        Assert.That(errors, Is.Empty, "coturn answered");
        Assert.That(candidates.Select(c => c.Type), Is.EqualTo(new[] { RTCIceCandidateType.Host }));
    }

    [Test]
    public async Task UnreachableStunServerReportsCandidateError()
    {
        using var silent = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var (candidates, errors) = await GatherAsync(new IceTransportOptions
        {
            BindAddresses = [IPAddress.Loopback],
            StunServers = [(IPEndPoint)silent.Client.LocalEndPoint!],
        });

        Assert.That(candidates.Select(c => c.Type), Is.EqualTo(new[] { RTCIceCandidateType.Host }));
        Assert.That(errors.Single().ErrorCode, Is.EqualTo(701));
    }

    [Test]
    public async Task StunClientGetsMappedAddressFromCoturn()
    {
        await using var coturn = await CoturnServer.StartAsync();
        using var socket = Net.UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = new StunClient((d, r) => socket.TrySend(d, r));
        socket.Start((_, d, r) => client.HandleDatagram(d, r));
        var response = await client.SendRequestAsync(new StunMessage(StunMessageType.BindingRequest), coturn.EndPoint).WaitAsync(Timeout);
        Assert.That(response.Type, Is.EqualTo(StunMessageType.BindingSuccess));
        Assert.That(response.XorMappedAddress, Is.EqualTo(socket.LocalEndPoint));
    }
}
