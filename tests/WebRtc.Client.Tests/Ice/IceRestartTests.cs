using System.Net;
using WebRtc.Client.Ice;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Tests.Ice;

/// <summary>ICE restart (RFC 8445 §9, RFC 8839 §4.4.1.1.2) on the virtual network.</summary>
public class IceRestartTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private static readonly IPEndPoint AddressA = Ep("10.0.0.1", 5000);
    private static readonly IPEndPoint AddressB = Ep("10.0.0.2", 6000);

    private static IPEndPoint Ep(string address, int port) => new(IPAddress.Parse(address), port);

    private static IceAgentOptions Options(string ufrag, bool controlling, int seed) => new()
    {
        LocalUfrag = ufrag,
        LocalPassword = ufrag + "-password-0123456789abcdef",
        Controlling = controlling,
        Random = new Random(seed),
    };

    private static bool Completed(VirtualNetwork.Peer p) => p.Agent.State == RTCIceTransportState.Completed;

    private static (VirtualNetwork Net, VirtualNetwork.Peer A, VirtualNetwork.Peer B) Connected()
    {
        var net = new VirtualNetwork();
        var a = net.AddPeer("A", Options("aaaa", controlling: true, seed: 1));
        var b = net.AddPeer("B", Options("bbbb", controlling: false, seed: 2));
        a.AddBase(AddressA);
        b.AddBase(AddressB);
        a.Agent.EndOfLocalCandidates(net.Now);
        b.Agent.EndOfLocalCandidates(net.Now);
        a.SignalTo(b);
        b.SignalTo(a);
        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True, $"A {a.Agent.State}, B {b.Agent.State}");
        return (net, a, b);
    }

    /// <summary>Records the USERNAME of every Binding request on the wire.</summary>
    private static List<string> RecordUsernames(VirtualNetwork net)
    {
        var usernames = new List<string>();
        net.Drop = (_, _, data) =>
        {
            if (StunMessage.TryParse(data, out var message) && message!.Type == StunMessageType.BindingRequest && message.Username is { } username)
            {
                usernames.Add(username);
            }

            return false;
        };
        return usernames;
    }

    /// <summary>Both sides have a pair carrying data, and each accepts data from the other, at every step.</summary>
    private static List<string> WatchDataPath(VirtualNetwork net, VirtualNetwork.Peer a, VirtualNetwork.Peer b)
    {
        var violations = new List<string>();
        net.OnStep = () =>
        {
            if (a.Agent.SelectedPair is null || b.Agent.SelectedPair is null)
            {
                violations.Add($"{net.Now}: no selected pair (A {a.Agent.SelectedPair}, B {b.Agent.SelectedPair})");
            }

            if (!a.Agent.IsValidSource(0, AddressB) || !b.Agent.IsValidSource(0, AddressA))
            {
                violations.Add($"{net.Now}: data refused");
            }

            if (a.Agent.State is not (RTCIceTransportState.Connected or RTCIceTransportState.Completed)
                || b.Agent.State is not (RTCIceTransportState.Connected or RTCIceTransportState.Completed))
            {
                violations.Add($"{net.Now}: A {a.Agent.State}, B {b.Agent.State}");
            }
        };
        return violations;
    }

    private static byte[] Request(string username, string password, out StunTransactionId id)
    {
        var request = new StunMessage(StunMessageType.BindingRequest) { Username = username, Priority = 1234, IceControlled = 1 };
        id = request.TransactionId;
        return request.ToArray(StunIntegrity.ShortTermKey(password));
    }

    [Test]
    public void RestartWhileConnectedMovesToTheNewGenerationWithoutInterruption()
    {
        var (net, a, b) = Connected();
        var oldPairA = a.Agent.SelectedPair!;
        var oldPairB = b.Agent.SelectedPair!;
        int statesA = a.States.Count, statesB = b.States.Count;
        var usernames = RecordUsernames(net);
        var violations = WatchDataPath(net, a, b);
        a.Events.Clear();

        // A offers the restart; B answers with new credentials too (JSEP).
        a.Restart("aaa2");
        Assert.Multiple(() =>
        {
            Assert.That(a.Agent.Generation, Is.EqualTo(1));
            Assert.That(a.Agent.IsRestarting, Is.True);
            Assert.That(a.Agent.LocalUfrag, Is.EqualTo("aaa2"));
            Assert.That(a.Agent.RemoteUfrag, Is.Null, "the peer's credentials are forgotten until it sends new ones");
            Assert.That(a.Agent.RemoteCandidates, Is.Empty, "remote candidates of the old generation are dropped");
            Assert.That(a.Agent.Pairs, Is.Empty);
            Assert.That(a.Agent.SelectedPair, Is.SameAs(oldPairA), "the selected pair keeps carrying data");
            Assert.That(a.Agent.State, Is.EqualTo(RTCIceTransportState.Completed));
            Assert.That(a.Events.OfType<IceLocalCandidateEvent>().Single(), Is.EqualTo(new IceLocalCandidateEvent(a.Gathered[0], "aaa2")));
            Assert.That(a.Events.OfType<IceGatheringStateEvent>().Select(e => e.State),
                Is.EqualTo(new[] { RTCIceGatheringState.Gathering, RTCIceGatheringState.Complete }));
        });

        b.Restart("bbb2");
        a.SignalTo(b);
        b.SignalTo(a);
        Assert.That(b.Agent.SelectedPair, Is.SameAs(oldPairB));

        Assert.That(net.RunUntil(() => !a.Agent.IsRestarting && !b.Agent.IsRestarting && Completed(a) && Completed(b), Limit), Is.True,
            $"A {a.Agent.State} {a.Agent.IsRestarting}, B {b.Agent.State} {b.Agent.IsRestarting}");
        net.Advance(TimeSpan.FromSeconds(20));

        var newPairA = a.Agent.SelectedPair!;
        Assert.Multiple(() =>
        {
            Assert.That(violations, Is.Empty);
            Assert.That(newPairA, Is.Not.SameAs(oldPairA));
            Assert.That(newPairA.Nominated && b.Agent.SelectedPair!.Nominated, Is.True);
            Assert.That(newPairA.RemoteEndPoint, Is.EqualTo(AddressB));
            Assert.That(a.Events.OfType<IceSelectedPairEvent>().Select(e => e.Pair), Is.EqualTo(new[] { newPairA }), "one switch, never through null");
            Assert.That(b.Events.OfType<IceSelectedPairEvent>().Last().Pair, Is.SameAs(b.Agent.SelectedPair));
            Assert.That(usernames, Does.Contain("bbb2:aaa2").And.Contain("aaa2:bbb2"), "new-generation checks carry the new ufrags");
            Assert.That(usernames.Where(u => u is not ("bbb2:aaa2" or "aaa2:bbb2" or "bbbb:aaaa" or "aaaa:bbbb")), Is.Empty);
            Assert.That(usernames.Skip(usernames.Count / 2), Has.None.EqualTo("bbbb:aaaa").And.None.EqualTo("aaaa:bbbb"), "consent moved to the new credentials");
            Assert.That(a.States.Count, Is.EqualTo(statesA), "Completed did not flap");
            Assert.That(b.States.Count, Is.EqualTo(statesB), "Completed did not flap");
            Assert.That(a.Agent.Role, Is.EqualTo(RTCIceRole.Controlling), "the role is kept");
            Assert.That(b.Agent.Role, Is.EqualTo(RTCIceRole.Controlled));
            Assert.That(newPairA.LastConsent, Is.GreaterThan(net.Now - TimeSpan.FromSeconds(7)), "consent refreshed on the new pair");
        });
    }

    [Test]
    public void ChecksWithTheOldCredentialsAreAnsweredUntilTheSwitch()
    {
        var (net, a, b) = Connected();
        var oldPairA = a.Agent.SelectedPair!;
        a.Restart("aaa2");

        // Nothing is signaled for a long while: both keep consent on the old pair with the old credentials.
        var violations = WatchDataPath(net, a, b);
        int responses = oldPairA.ResponsesReceived;
        int answered = oldPairA.ResponsesSent;
        net.Advance(TimeSpan.FromSeconds(40));
        Assert.Multiple(() =>
        {
            Assert.That(violations, Is.Empty);
            Assert.That(a.Agent.SelectedPair, Is.SameAs(oldPairA));
            Assert.That(oldPairA.ResponsesReceived, Is.GreaterThan(responses + 4), "our consent checks use the old credentials");
            Assert.That(oldPairA.ResponsesSent, Is.GreaterThan(answered + 4), "the peer's consent checks (old ufrag) are answered");
            Assert.That(a.Agent.State, Is.EqualTo(RTCIceTransportState.Completed));
        });

        // A check with the old credentials gets a success signed with the old password.
        byte[] old = Request("aaaa:bbbb", "aaaa-password-0123456789abcdef", out var id);
        var captured = new List<byte[]>();
        net.Drop = (from, _, data) =>
        {
            if (from.Equals(AddressA))
            {
                captured.Add(data);
            }

            return false;
        };
        Assert.That(a.Agent.HandleStun(0, AddressB, old, net.Now), Is.True);
        a.DrainEvents();
        Assert.That(net.RunUntil(() => captured.Any(d => StunMessage.TryParse(d, out var m) && m!.TransactionId == id), Limit), Is.True);
        var answer = captured.Single(d => StunMessage.TryParse(d, out var m) && m!.TransactionId == id);
        Assert.That(StunMessage.TryParse(answer, StunIntegrity.ShortTermKey("aaaa-password-0123456789abcdef"), out var success), Is.True);
        Assert.That(success!.Type, Is.EqualTo(StunMessageType.BindingSuccess));

        // Finish the restart: the old credentials are refused from then on.
        b.Restart("bbb2");
        a.SignalTo(b);
        b.SignalTo(a);
        Assert.That(net.RunUntil(() => !a.Agent.IsRestarting && !b.Agent.IsRestarting, Limit), Is.True);
        captured.Clear();
        old = Request("aaaa:bbbb", "aaaa-password-0123456789abcdef", out id);
        Assert.That(a.Agent.HandleStun(0, AddressB, old, net.Now), Is.False);
        Assert.That(net.RunUntil(() => captured.Any(d => StunMessage.TryParse(d, out var m) && m!.TransactionId == id), Limit), Is.True);
        Assert.That(StunMessage.TryParse(captured.Single(d => StunMessage.TryParse(d, out var m) && m!.TransactionId == id), out var refused), Is.True);
        Assert.That(refused!.ErrorCode!.Value.Code, Is.EqualTo(401));
        Assert.That(violations, Is.Empty);
    }

    [Test]
    public void RestartFromFailedRecoversAfterThePartitionHeals()
    {
        var (net, a, b) = Connected();

        // A partition: consent is lost on both sides (RFC 7675).
        net.Drop = (_, _, _) => true;
        Assert.That(net.RunUntil(() => a.Agent.State == RTCIceTransportState.Failed && b.Agent.State == RTCIceTransportState.Failed, TimeSpan.FromSeconds(40)), Is.True);
        net.Drop = null;
        net.Advance(TimeSpan.FromSeconds(5));
        Assert.That(a.Agent.State, Is.EqualTo(RTCIceTransportState.Failed), "consent lost stays lost without a restart");

        a.States.Clear();
        a.Restart("aaa2");
        Assert.That(a.Agent.State, Is.EqualTo(RTCIceTransportState.Failed), "until the peer's new credentials arrive");
        Assert.That(a.Agent.IsRestarting, Is.False, "no pair carries data");
        b.Restart("bbb2");
        a.SignalTo(b);
        b.SignalTo(a);

        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True, $"A {a.Agent.State}, B {b.Agent.State}");
        Assert.Multiple(() =>
        {
            Assert.That(a.States, Is.EqualTo(new[] { RTCIceTransportState.Checking, RTCIceTransportState.Connected, RTCIceTransportState.Completed }));
            Assert.That(a.Agent.SelectedPair!.Nominated, Is.True);
            Assert.That(a.Agent.IsValidSource(0, AddressB) && b.Agent.IsValidSource(0, AddressA), Is.True);
        });

        // And consent holds again.
        net.Advance(TimeSpan.FromSeconds(60));
        Assert.That(Completed(a) && Completed(b), Is.True);
    }

    [Test]
    public void PeerRestartWithoutNewLocalCredentialsRestartsTheChecks()
    {
        var (net, a, b) = Connected();
        var oldPairA = a.Agent.SelectedPair!;
        var usernames = RecordUsernames(net);
        var violations = WatchDataPath(net, a, b);
        a.Events.Clear();

        // B restarts; A only learns B's new credentials and keeps its own.
        b.Restart("bbb2");
        a.Agent.SetRemoteCredentials("bbbb", "bbbb-password-0123456789abcdef");
        Assert.That(a.Agent.Generation, Is.Zero, "the same credentials again are no restart");

        a.Agent.SetRemoteCredentials(b.Ufrag, b.Password);
        a.DrainEvents();
        Assert.Multiple(() =>
        {
            Assert.That(a.Agent.Generation, Is.EqualTo(1));
            Assert.That(a.Agent.LocalUfrag, Is.EqualTo("aaaa"));
            Assert.That(a.Agent.RemoteUfrag, Is.EqualTo("bbb2"));
            Assert.That(a.Agent.RemoteCandidates, Is.Empty);
            Assert.That(a.Agent.IsRestarting, Is.True);
            Assert.That(a.Agent.SelectedPair, Is.SameAs(oldPairA));
            Assert.That(a.Events.OfType<IceLocalCandidateEvent>().Single().UsernameFragment, Is.EqualTo("aaaa"), "candidates re-announced");
        });

        b.SignalTo(a);
        a.SignalTo(b);
        Assert.That(net.RunUntil(() => !a.Agent.IsRestarting && !b.Agent.IsRestarting && Completed(a) && Completed(b), Limit), Is.True);
        net.Advance(TimeSpan.FromSeconds(15));
        Assert.Multiple(() =>
        {
            Assert.That(violations, Is.Empty);
            Assert.That(a.Agent.SelectedPair, Is.Not.SameAs(oldPairA));
            Assert.That(a.Agent.SelectedPair!.Nominated, Is.True);
            Assert.That(usernames, Does.Contain("bbb2:aaaa").And.Contain("aaaa:bbb2"));
            Assert.That(usernames.Skip(usernames.Count / 2), Has.None.EqualTo("bbbb:aaaa").And.None.EqualTo("aaaa:bbbb"));
        });
    }

    [Test]
    public void RolesCanChangeAtRestart()
    {
        var (net, a, b) = Connected();
        var violations = WatchDataPath(net, a, b);
        a.Events.Clear();
        b.Events.Clear();

        // B offers the restart and becomes controlling; A answers as controlled.
        b.Restart("bbb2", controlling: true);
        a.Restart("aaa2", controlling: false);
        b.SignalTo(a);
        a.SignalTo(b);
        Assert.That(net.RunUntil(() => !a.Agent.IsRestarting && !b.Agent.IsRestarting && Completed(a) && Completed(b), Limit), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(violations, Is.Empty);
            Assert.That(b.Agent.Role, Is.EqualTo(RTCIceRole.Controlling));
            Assert.That(a.Agent.Role, Is.EqualTo(RTCIceRole.Controlled));
            Assert.That(b.Events.OfType<IceRoleEvent>().Select(e => e.Role), Is.EqualTo(new[] { RTCIceRole.Controlling }), "no role conflict");
            Assert.That(a.Events.OfType<IceRoleEvent>().Select(e => e.Role), Is.EqualTo(new[] { RTCIceRole.Controlled }));
            Assert.That(a.Agent.SelectedPair!.Nominated && b.Agent.SelectedPair!.Nominated, Is.True);
        });
    }

    [Test]
    public void OldPairLosingConsentDuringARestartDoesNotStopTheNewGeneration()
    {
        var (net, a, b) = Connected();
        var oldPairA = a.Agent.SelectedPair!;
        a.Restart("aaa2");
        net.Drop = (_, _, _) => true;
        Assert.That(net.RunUntil(() => a.Agent.SelectedPair is null, TimeSpan.FromSeconds(40)), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(oldPairA.State, Is.EqualTo(IceCandidatePairState.Failed));
            Assert.That(a.Agent.IsRestarting, Is.False);
            Assert.That(a.Agent.State, Is.EqualTo(RTCIceTransportState.Failed), "no pair and no remote credentials yet");
            Assert.That(a.Agent.IsValidSource(0, AddressB), Is.False);
        });

        // The peer's answer arrives later and the network is back: the restart carries on.
        net.Drop = null;
        b.Restart("bbb2");
        a.SignalTo(b);
        b.SignalTo(a);
        Assert.That(net.RunUntil(() => Completed(a) && Completed(b), Limit), Is.True, $"A {a.Agent.State}, B {b.Agent.State}");
        Assert.That(a.Agent.SelectedPair!.Nominated, Is.True);
    }

    [Test]
    public void RestartDuringARestartKeepsTheOriginalPairUntilTheLatestGenerationIsNominated()
    {
        var (net, a, b) = Connected();
        var oldPairA = a.Agent.SelectedPair!;
        var violations = WatchDataPath(net, a, b);
        a.Restart("aaa2");
        net.Advance(TimeSpan.FromSeconds(1));
        a.Restart("aaa3");
        Assert.That(a.Agent.SelectedPair, Is.SameAs(oldPairA));
        b.Restart("bbb2");
        a.SignalTo(b);
        b.SignalTo(a);
        Assert.That(net.RunUntil(() => !a.Agent.IsRestarting && !b.Agent.IsRestarting && Completed(a) && Completed(b), Limit), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(violations, Is.Empty);
            Assert.That(a.Agent.Generation, Is.EqualTo(2));
            Assert.That(b.Agent.RemoteUfrag, Is.EqualTo("aaa3"));
            Assert.That(a.Agent.SelectedPair, Is.Not.SameAs(oldPairA));
        });
    }

    [Test]
    public void RestartNeedsANewUfrag()
    {
        var (_, a, _) = Connected();
        Assert.That(() => a.Agent.Restart("aaaa", "aaaa-password-0123456789abcdef", TimeSpan.Zero), Throws.ArgumentException);
        a.Agent.Close();
        Assert.That(() => a.Agent.Restart("aaa2", "aaa2-password-0123456789abcdef", TimeSpan.Zero), Throws.InstanceOf<ObjectDisposedException>());
    }
}
