namespace WebRtc.Client.Net;

/// <summary>Which local addresses <see cref="NetworkInterfaces.GetLocalAddresses"/> returns.</summary>
public sealed record LocalAddressOptions
{
    /// <summary>Include IPv4 addresses. Default true.</summary>
    public bool IncludeIPv4 { get; init; } = true;

    /// <summary>Include IPv6 addresses. Default true.</summary>
    public bool IncludeIPv6 { get; init; } = true;

    /// <summary>Include loopback addresses (127/8, ::1, loopback interfaces). Default false.</summary>
    public bool IncludeLoopback { get; init; }

    /// <summary>Include link-local addresses (169.254/16, fe80::/10). Default false.</summary>
    public bool IncludeLinkLocal { get; init; }
}
