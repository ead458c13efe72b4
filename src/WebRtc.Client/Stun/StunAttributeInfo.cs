namespace WebRtc.Client.Stun;

/// <summary>What this implementation knows about attribute types.</summary>
internal static class StunAttributeInfo
{
    /// <summary>True for the comprehension-required types this stack understands.</summary>
    public static bool IsKnown(ushort type) => (StunAttributeType)type switch
    {
        StunAttributeType.MappedAddress or StunAttributeType.Username or StunAttributeType.MessageIntegrity
            or StunAttributeType.ErrorCode or StunAttributeType.UnknownAttributes or StunAttributeType.ChannelNumber
            or StunAttributeType.Lifetime or StunAttributeType.XorPeerAddress or StunAttributeType.Data
            or StunAttributeType.Realm or StunAttributeType.Nonce or StunAttributeType.XorRelayedAddress
            or StunAttributeType.RequestedAddressFamily or StunAttributeType.EvenPort
            or StunAttributeType.RequestedTransport or StunAttributeType.DontFragment
            or StunAttributeType.MessageIntegritySha256 or StunAttributeType.PasswordAlgorithm
            or StunAttributeType.UserHash or StunAttributeType.XorMappedAddress
            or StunAttributeType.ReservationToken or StunAttributeType.Priority
            or StunAttributeType.UseCandidate => true,
        _ => false,
    };
}
