using System.Net;
using System.Net.Security;

namespace WebRtc.Client.Ice;

/// <summary>One TURN server an <see cref="IceTransport"/> allocates a relay from (RFC 8656), resolved to an address.</summary>
public sealed class IceTurnServer
{
    /// <summary>Creates the entry.</summary>
    /// <param name="server">The server's address.</param>
    /// <param name="username">Long-term credential username.</param>
    /// <param name="password">Long-term credential password (never logged).</param>
    /// <param name="protocol">How the server is reached: UDP, TCP, or TLS (turns:).</param>
    public IceTurnServer(IPEndPoint server, string username, string password, RTCIceServerTransportProtocol protocol = RTCIceServerTransportProtocol.Udp)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        Server = server;
        Username = username;
        Password = password;
        Protocol = protocol;
    }

    /// <summary>The server's address.</summary>
    public IPEndPoint Server { get; }

    /// <summary>Long-term credential username.</summary>
    public string Username { get; }

    /// <summary>Long-term credential password.</summary>
    public string Password { get; }

    /// <summary>How the server is reached.</summary>
    public RTCIceServerTransportProtocol Protocol { get; }

    /// <summary>The turn:/turns: URL, reported with candidates and errors (W3C url).</summary>
    public string? Url { get; init; }

    /// <summary>For TLS: the host name the server's certificate must name; the address when null.</summary>
    public string? TlsTargetHost { get; init; }

    /// <summary>For TLS: replaces the system's certificate validation (a self-signed server in tests).</summary>
    public RemoteCertificateValidationCallback? TlsCertificateValidation { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Url ?? Server.ToString()} ({Protocol})";
}
