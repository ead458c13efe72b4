using System.Net;
using System.Net.NetworkInformation;

namespace WebRtc.Client.Net;

/// <summary>A unicast address of a local network interface, a candidate for ICE host candidates.</summary>
/// <param name="Address">The address (IPv6 link-local addresses carry the interface as scope id).</param>
/// <param name="InterfaceName">The interface name, e.g. <c>eth0</c> or <c>lo</c>.</param>
/// <param name="InterfaceIndex">The OS interface index; -1 when the OS does not report it.</param>
/// <param name="IsLoopback">True for loopback addresses and addresses of loopback interfaces.</param>
/// <param name="Type">The interface type.</param>
public readonly record struct LocalAddress(
    IPAddress Address,
    string InterfaceName,
    int InterfaceIndex,
    bool IsLoopback,
    NetworkInterfaceType Type);
