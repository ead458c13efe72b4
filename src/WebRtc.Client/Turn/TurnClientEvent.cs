using System.Net;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Turn;

/// <summary>The life of a <see cref="TurnClient"/>'s allocation.</summary>
public enum TurnClientState
{
    /// <summary>Nothing sent yet.</summary>
    New,

    /// <summary>Allocate requests are in flight.</summary>
    Allocating,

    /// <summary>The allocation exists and is kept alive by Refresh requests.</summary>
    Allocated,

    /// <summary>The allocation could not be made or was lost; a <see cref="TurnErrorEvent"/> says why.</summary>
    Failed,

    /// <summary>A Refresh with LIFETIME 0 is deleting the allocation (RFC 8656 §7.3).</summary>
    Releasing,

    /// <summary>The allocation is deleted (or was never made); the client does nothing more.</summary>
    Released,
}

/// <summary>Something a <see cref="TurnClient"/> reports; the driver drains them with <see cref="TurnClient.PollEvent"/>.</summary>
public abstract record TurnClientEvent;

/// <summary>The allocation was made: a relayed candidate can be announced.</summary>
/// <param name="RelayedAddress">XOR-RELAYED-ADDRESS: the address peers send to.</param>
/// <param name="MappedAddress">XOR-MAPPED-ADDRESS: the client as the server saw it.</param>
/// <param name="Lifetime">The lifetime the server granted.</param>
public sealed record TurnAllocatedEvent(IPEndPoint RelayedAddress, IPEndPoint MappedAddress, TimeSpan Lifetime) : TurnClientEvent;

/// <summary>
/// A request failed. For Allocate (and Refresh) the client is then <see cref="TurnClientState.Failed"/>;
/// CreatePermission and ChannelBind failures name the peer and leave the allocation as it is.
/// </summary>
/// <param name="Method">The request that failed.</param>
/// <param name="ErrorCode">
/// The STUN error code (401, 437, 441, 486, 508...), or 701 when the server never answered
/// (the W3C icecandidateerror convention).
/// </param>
/// <param name="Reason">The server's reason phrase, or why the client gave up.</param>
/// <param name="Peer">The peer of a CreatePermission or ChannelBind failure; null otherwise.</param>
public sealed record TurnErrorEvent(StunMethod Method, int ErrorCode, string Reason, IPEndPoint? Peer) : TurnClientEvent;

/// <summary>The channel to a peer is bound: data to it now goes as ChannelData (RFC 8656 §12).</summary>
/// <param name="Peer">The peer's transport address.</param>
/// <param name="Channel">The channel number, 0x4000–0x4FFF.</param>
public sealed record TurnPeerReadyEvent(IPEndPoint Peer, ushort Channel) : TurnClientEvent;

/// <summary>The allocation is released (or the release timed out); the client is <see cref="TurnClientState.Released"/>.</summary>
public sealed record TurnReleasedEvent : TurnClientEvent;
