using System.Net;
using WebRtc.Client.Ice;

namespace WebRtc.Client.Tests.Ice;

/// <summary>
/// An in-process network for sans-IO ICE agents under a virtual clock: datagrams are delivered
/// after a latency, may be dropped by a filter, and timers run exactly when they are due.
/// </summary>
internal sealed class VirtualNetwork
{
    private readonly List<Delivery> _inflight = [];
    private readonly Dictionary<IPEndPoint, (Peer Peer, int BaseId)> _endpoints = [];
    private readonly List<Peer> _peers = [];
    private long _sequence;

    public TimeSpan Now { get; private set; }

    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Returns true to drop a datagram (from, to, bytes).</summary>
    public Func<IPEndPoint, IPEndPoint, byte[], bool>? Drop { get; set; }

    public int Delivered { get; private set; }

    /// <summary>Runs after every step of <see cref="RunUntil"/> (invariants that must hold at all times).</summary>
    public Action? OnStep { get; set; }

    public Peer AddPeer(string name, IceAgentOptions options)
    {
        var peer = new Peer(this, name) { Options = options };
        peer.InitPassword(options.LocalPassword);
        peer.Agent = new IceAgent(options, peer.Send);
        _peers.Add(peer);
        return peer;
    }

    internal void Register(Peer peer, int baseId, IPEndPoint endPoint) => _endpoints[endPoint] = (peer, baseId);

    internal void Enqueue(Peer from, int baseId, IPEndPoint to, byte[] data)
    {
        var source = from.Bases[baseId];
        if (Drop?.Invoke(source, to, data) == true)
        {
            return;
        }

        _inflight.Add(new Delivery(Now + Latency, _sequence++, source, to, data));
    }

    /// <summary>Runs until <paramref name="done"/> holds or <paramref name="limit"/> of virtual time passes.</summary>
    public bool RunUntil(Func<bool> done, TimeSpan limit)
    {
        TimeSpan end = Now + limit;
        int spins = 0;
        while (!done())
        {
            if (++spins > 1_000_000)
            {
                throw new InvalidOperationException($"virtual network made no progress at {Now}");
            }

            TimeSpan? next = null;
            foreach (var delivery in _inflight)
            {
                next = next is { } n && n <= delivery.At ? n : delivery.At;
            }

            foreach (var peer in _peers)
            {
                if (peer.Agent.NextDeadline is { } deadline)
                {
                    next = next is { } n && n <= deadline ? n : deadline;
                }
            }

            if (next is null || next.Value > end)
            {
                Now = end;
                return done();
            }

            if (next.Value > Now)
            {
                Now = next.Value;
            }

            var due = _inflight.Where(d => d.At <= Now).OrderBy(d => d.At).ThenBy(d => d.Sequence).ToList();
            foreach (var delivery in due)
            {
                _inflight.Remove(delivery);
                if (_endpoints.TryGetValue(delivery.To, out var target))
                {
                    Delivered++;
                    target.Peer.Agent.HandleStun(target.BaseId, delivery.From, delivery.Data, Now);
                }
            }

            foreach (var peer in _peers)
            {
                if (peer.Agent.NextDeadline is { } deadline && deadline <= Now)
                {
                    peer.Agent.HandleTimeout(Now);
                }
            }

            foreach (var peer in _peers)
            {
                peer.DrainEvents();
            }

            OnStep?.Invoke();
        }

        return true;
    }

    public void Advance(TimeSpan span) => RunUntil(() => false, span);

    private sealed record Delivery(TimeSpan At, long Sequence, IPEndPoint From, IPEndPoint To, byte[] Data);

    internal sealed class Peer(VirtualNetwork network, string name)
    {
        public string Name { get; } = name;

        public IceAgent Agent { get; set; } = null!;

        public IceAgentOptions Options { get; init; } = null!;

        /// <summary>Current local ufrag (changes with <see cref="Restart"/>).</summary>
        public string Ufrag => Agent.LocalUfrag;

        /// <summary>Current local password.</summary>
        public string Password { get; private set; } = null!;

        /// <summary>Restarts the agent with "<paramref name="ufrag"/>-password-..." credentials.</summary>
        public void Restart(string ufrag, bool? controlling = null)
        {
            Password = ufrag + "-password-0123456789abcdef";
            Agent.Restart(ufrag, Password, network.Now, controlling);
            DrainEvents();
        }

        public List<IPEndPoint> Bases { get; } = [];

        public List<IceAgentEvent> Events { get; } = [];

        public List<RTCIceTransportState> States { get; } = [];

        public List<IceLocalCandidate> Gathered { get; } = [];

        internal void InitPassword(string password) => Password = password;

        public int AddBase(IPEndPoint endPoint, ushort localPreference = 65535)
        {
            int id = Bases.Count;
            Bases.Add(endPoint);
            network.Register(this, id, endPoint);
            Agent.AddHostCandidate(id, endPoint, localPreference, network.Now);
            DrainEvents();
            return id;
        }

        /// <summary>
        /// A TCP host base. A passive one listens on <paramref name="endPoint"/>; an active one is
        /// signaled with port 9 and its "connection" leaves from <paramref name="endPoint"/>, an
        /// ephemeral port the peer only learns as peer-reflexive (RFC 6544).
        /// </summary>
        public int AddTcpBase(IPEndPoint endPoint, RTCIceTcpCandidateType tcpType, ushort interfacePreference = 65535)
        {
            int id = Bases.Count;
            Bases.Add(endPoint);
            network.Register(this, id, endPoint);
            var candidate = tcpType == RTCIceTcpCandidateType.Active ? new IPEndPoint(endPoint.Address, 9) : endPoint;
            Agent.AddTcpHostCandidate(id, candidate, tcpType, interfacePreference, network.Now);
            DrainEvents();
            return id;
        }

        /// <summary>A relay base: the virtual network stands in for the TURN server, delivering straight to and from the relayed address.</summary>
        public int AddRelayBase(IPEndPoint relayed, IPEndPoint mapped, RTCIceServerTransportProtocol protocol = RTCIceServerTransportProtocol.Udp)
        {
            int id = Bases.Count;
            Bases.Add(relayed);
            network.Register(this, id, relayed);
            Agent.AddRelayCandidate(id, relayed, mapped, protocol, new IPEndPoint(relayed.Address, 3478), "turn:test", 65535, network.Now);
            DrainEvents();
            return id;
        }

        /// <summary>STUN requests this peer sent (checks and consent), whether or not they arrived.</summary>
        public int RequestsSent { get; private set; }

        public void Send(int baseId, IPEndPoint remote, ReadOnlySpan<byte> datagram)
        {
            if (datagram.Length >= 2 && datagram[0] == 0 && datagram[1] == 1)
            {
                RequestsSent++;
            }

            network.Enqueue(this, baseId, remote, datagram.ToArray());
        }

        public void DrainEvents()
        {
            while (Agent.PollEvent(out var e))
            {
                Events.Add(e!);
                switch (e)
                {
                    case IceStateEvent s:
                        States.Add(s.State);
                        break;
                    case IceLocalCandidateEvent c:
                        Gathered.Add(c.Candidate);
                        break;
                }
            }
        }

        /// <summary>Gives <paramref name="other"/> this peer's credentials and gathered candidates.</summary>
        public void SignalTo(Peer other, bool endOfCandidates = true)
        {
            DrainEvents();
            other.Agent.SetRemoteCredentials(Ufrag, Password, Options.Lite);
            foreach (var candidate in Gathered)
            {
                other.Agent.AddRemoteCandidate(candidate.Type, candidate.EndPoint, candidate.Priority, candidate.Foundation, network.Now, candidate.Protocol, candidate.TcpType);
            }

            if (endOfCandidates)
            {
                other.Agent.AddRemoteEndOfCandidates(network.Now);
            }

            other.DrainEvents();
        }

        public override string ToString() => Name;
    }
}
