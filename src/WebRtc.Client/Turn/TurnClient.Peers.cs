using System.Net;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Turn;

/// <summary>Permissions (RFC 8656 §9) and channels (RFC 8656 §12) for the peers the driver adds.</summary>
public sealed partial class TurnClient
{
    // RFC 8656 §12: channel numbers 0x4000 through 0x4FFF.
    private const ushort FirstChannel = 0x4000;
    private const ushort LastChannel = 0x4FFF;

    // RFC 8656 §9: permissions last 300 s; refreshed a minute early.
    private static readonly TimeSpan PermissionRefresh = TimeSpan.FromSeconds(240);

    // RFC 8656 §12: channel bindings last 600 s; rebound a minute early.
    private static readonly TimeSpan ChannelRefresh = TimeSpan.FromSeconds(540);

    private readonly Dictionary<IPAddress, Permission> _permissions = [];
    private readonly Dictionary<IPEndPoint, PeerBinding> _peers = [];
    private ushort _nextChannel = FirstChannel;

    /// <summary>The permission for one peer IP address; one for all the ports of that address.</summary>
    private sealed class Permission
    {
        public required IPEndPoint Peer { get; init; }

        public bool InFlight { get; set; }

        public bool Installed { get; set; }

        public bool Failed { get; set; }

        public TimeSpan? RefreshAt { get; set; }
    }

    /// <summary>One peer transport address and its channel (0 when the 4096 numbers are used up).</summary>
    private sealed class PeerBinding
    {
        public required IPEndPoint Peer { get; init; }

        public required ushort Channel { get; init; }

        public bool InFlight { get; set; }

        public bool Bound { get; set; }

        public bool Failed { get; set; }

        public TimeSpan? RefreshAt { get; set; }
    }

    /// <summary>
    /// Lets a peer reach us through the relay and makes data to it cheap: a CreatePermission for
    /// its IP address (RFC 8656 §9) so Send indications work at once, and a ChannelBind for its
    /// transport address (RFC 8656 §12), after which <see cref="WrapForPeer"/> sends ChannelData.
    /// Both are kept fresh until <see cref="Release"/>. Before the allocation exists the peer is
    /// queued. Adding a peer twice does nothing; after a failure or release nothing happens.
    /// </summary>
    public void AddPeer(IPEndPoint peer, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (_state is TurnClientState.Failed or TurnClientState.Releasing or TurnClientState.Released || _peers.ContainsKey(peer))
        {
            return;
        }

        var binding = new PeerBinding { Peer = peer, Channel = _nextChannel <= LastChannel ? _nextChannel++ : (ushort)0 };
        _peers.Add(peer, binding);
        if (!_permissions.TryGetValue(peer.Address, out var permission))
        {
            permission = new Permission { Peer = peer };
            _permissions.Add(peer.Address, permission);
        }
        else if (permission.Failed)
        {
            // A new port of an address refused before: ask again, the refusal may have been passing.
            permission.Failed = false;
        }

        PublishRoutes();
        if (_state == TurnClientState.Allocated)
        {
            RequestPermission(permission, now);
            RequestChannel(binding, now);
        }
    }

    /// <summary>True once the channel to <paramref name="peer"/> is bound and data to it goes as ChannelData.</summary>
    public bool IsChannelBound(IPEndPoint peer) =>
        Volatile.Read(ref _routes).ByPeer.TryGetValue(peer, out var route) && route.Bound;

    private void StartPendingPeers(TimeSpan now)
    {
        foreach (var permission in _permissions.Values)
        {
            RequestPermission(permission, now);
        }

        foreach (var binding in _peers.Values)
        {
            RequestChannel(binding, now);
        }
    }

    private void RequestPermission(Permission permission, TimeSpan now)
    {
        if (permission.InFlight || permission.Installed || permission.Failed)
        {
            return;
        }

        permission.InFlight = true;
        StartTransaction(new Transaction { Kind = TransactionKind.CreatePermission, Permission = permission }, now);
    }

    private void RequestChannel(PeerBinding binding, TimeSpan now)
    {
        if (binding.Channel == 0 || binding.InFlight || binding.Bound || binding.Failed)
        {
            return;
        }

        binding.InFlight = true;
        StartTransaction(new Transaction { Kind = TransactionKind.ChannelBind, Binding = binding }, now);
    }

    private void RefreshPeers(TimeSpan now)
    {
        foreach (var permission in _permissions.Values)
        {
            if (permission.RefreshAt is { } at && now >= at)
            {
                permission.RefreshAt = null;
                permission.InFlight = true;
                StartTransaction(new Transaction { Kind = TransactionKind.CreatePermission, Permission = permission }, now);
            }
        }

        foreach (var binding in _peers.Values)
        {
            if (binding.RefreshAt is { } at && now >= at)
            {
                // RFC 8656 §12.1: a ChannelBind with the same number and peer refreshes the binding.
                binding.RefreshAt = null;
                binding.InFlight = true;
                StartTransaction(new Transaction { Kind = TransactionKind.ChannelBind, Binding = binding }, now);
            }
        }
    }

    private TimeSpan? NextPeerRefresh()
    {
        TimeSpan? next = null;
        foreach (var permission in _permissions.Values)
        {
            next = Min(next, permission.RefreshAt);
        }

        foreach (var binding in _peers.Values)
        {
            next = Min(next, binding.RefreshAt);
        }

        return next;
    }

    private void OnPermissionInstalled(Permission permission, TimeSpan now)
    {
        permission.InFlight = false;
        permission.Installed = true;
        permission.RefreshAt = now + PermissionRefresh;
    }

    private void OnPermissionFailed(Permission permission, int code, string reason)
    {
        permission.InFlight = false;
        permission.Installed = false;
        permission.Failed = true;
        permission.RefreshAt = null;
        _events.Enqueue(new TurnErrorEvent(StunMethod.CreatePermission, code, reason, permission.Peer));
    }

    private void OnChannelBound(PeerBinding binding, TimeSpan now)
    {
        binding.InFlight = false;
        binding.RefreshAt = now + ChannelRefresh;
        if (!binding.Bound)
        {
            binding.Bound = true;
            PublishRoutes();
            _events.Enqueue(new TurnPeerReadyEvent(binding.Peer, binding.Channel));
        }
    }

    private void OnChannelFailed(PeerBinding binding, int code, string reason)
    {
        // Data keeps going as Send indications, on the permission. A binding that lapsed on the
        // server must not be used either: ChannelData to an unbound channel is dropped there.
        binding.InFlight = false;
        binding.Failed = true;
        binding.RefreshAt = null;
        if (binding.Bound)
        {
            binding.Bound = false;
            PublishRoutes();
        }

        _events.Enqueue(new TurnErrorEvent(StunMethod.ChannelBind, code, reason, binding.Peer));
    }

    private void ClearPeers()
    {
        _permissions.Clear();
        _peers.Clear();
        Volatile.Write(ref _routes, RouteTable.Empty);
    }
}
