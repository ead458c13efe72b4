using System.Net.Sockets;

namespace WebRtc.Client.Net;

/// <summary>
/// Creates every socket the library opens (ICE UDP and TCP, TURN), unbound. Supply one to set
/// socket options the library does not (a mark, a DSCP value, a bound device) or to create the
/// sockets in another Linux network namespace; a socket keeps the namespace it was created in.
/// The default is <c>new Socket(family, type, protocol)</c>.
/// </summary>
/// <param name="family">IPv4 or IPv6.</param>
/// <param name="type">Datagram or stream.</param>
/// <param name="protocol">UDP or TCP.</param>
/// <returns>A new, unbound socket.</returns>
public delegate Socket SocketFactory(AddressFamily family, SocketType type, ProtocolType protocol);

/// <summary>Applies a caller's <see cref="SocketFactory"/> or the default.</summary>
internal static class SocketFactories
{
    /// <summary>Creates a socket through <paramref name="factory"/>, or directly when it is null.</summary>
    /// <exception cref="InvalidOperationException">The factory returned null.</exception>
    public static Socket Create(SocketFactory? factory, AddressFamily family, SocketType type, ProtocolType protocol) =>
        factory is null
            ? new Socket(family, type, protocol)
            : factory(family, type, protocol)
              ?? throw new InvalidOperationException($"The SocketFactory returned null for a {family} {protocol} socket.");
}
