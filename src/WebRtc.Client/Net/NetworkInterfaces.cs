using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace WebRtc.Client.Net;

/// <summary>Enumerates the local addresses an ICE agent may gather host candidates on.</summary>
public static class NetworkInterfaces
{
    // Linux IFA_F_* flags (linux/if_addr.h) of addresses not fit for host candidates.
    private const int IfaFlagTemporary = 0x01;
    private const int IfaFlagDadFailed = 0x08;
    private const int IfaFlagDeprecated = 0x20;
    private const int IfaFlagTentative = 0x40;
    private const int IfaUnusableFlags = IfaFlagTemporary | IfaFlagDadFailed | IfaFlagDeprecated | IfaFlagTentative;

    /// <summary>
    /// Returns the unicast addresses of the interfaces that are up, filtered by
    /// <paramref name="options"/>, without duplicates, in interface order. IPv6 temporary
    /// (privacy), deprecated, tentative and duplicate addresses are skipped where the OS tells
    /// (Windows, and Linux through /proc/net/if_inet6). Never throws for a broken interface: it is skipped.
    /// </summary>
    /// <param name="options">What to include.</param>
    /// <returns>The matching addresses.</returns>
    public static IReadOnlyList<LocalAddress> GetLocalAddresses(LocalAddressOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            return [];
        }

        var unusableV6 = options.IncludeIPv6 ? ReadUnusableLinuxIPv6Addresses() : null;
        var seen = new HashSet<IPAddress>();
        var result = new List<LocalAddress>();
        foreach (var nic in interfaces)
        {
            try
            {
                AddInterface(nic, options, unusableV6, seen, result);
            }
            catch (Exception ex) when (ex is NetworkInformationException or PlatformNotSupportedException or InvalidOperationException)
            {
                // One odd interface (vanishing, half configured) must not hide the others.
            }
        }

        return result;
    }

    private static void AddInterface(
        NetworkInterface nic,
        LocalAddressOptions options,
        HashSet<IPAddress>? unusableV6,
        HashSet<IPAddress> seen,
        List<LocalAddress> result)
    {
        // Linux reports "unknown" for lo and for tun/WireGuard links that are up and working
        // (their drivers do not report carrier), so Unknown counts as up; Down, Dormant,
        // LowerLayerDown, NotPresent and Testing do not.
        if (nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
        {
            return;
        }

        bool loopbackInterface = nic.NetworkInterfaceType == NetworkInterfaceType.Loopback;
        if (loopbackInterface && !options.IncludeLoopback)
        {
            return;
        }

        var properties = nic.GetIPProperties();
        int index = GetIndex(properties);
        foreach (var unicast in properties.UnicastAddresses)
        {
            var address = unicast.Address;
            bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
            bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
            if ((v4 && !options.IncludeIPv4) || (v6 && !options.IncludeIPv6) || (!v4 && !v6))
            {
                continue;
            }

            bool loopback = loopbackInterface || IPAddress.IsLoopback(address);
            if (loopback && !options.IncludeLoopback)
            {
                continue;
            }

            if (IsLinkLocal(address) && !options.IncludeLinkLocal)
            {
                continue;
            }

            if (v6 && (IsUnusableOnWindows(unicast) || (unusableV6 is not null && unusableV6.Contains(WithoutScope(address)))))
            {
                continue;
            }

            if (seen.Add(address))
            {
                result.Add(new LocalAddress(address, nic.Name, index, loopback, nic.NetworkInterfaceType));
            }
        }
    }

    /// <summary>True for 169.254.0.0/16 and fe80::/10.</summary>
    internal static bool IsLinkLocal(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal;
        }

        Span<byte> bytes = stackalloc byte[4];
        return address.TryWriteBytes(bytes, out int written) && written == 4 && bytes[0] == 169 && bytes[1] == 254;
    }

    private static int GetIndex(IPInterfaceProperties properties)
    {
        // Each getter throws when the family is not configured on the interface.
        try
        {
            return properties.GetIPv4Properties().Index;
        }
        catch (Exception ex) when (ex is NetworkInformationException or PlatformNotSupportedException)
        {
        }

        try
        {
            return properties.GetIPv6Properties().Index;
        }
        catch (Exception ex) when (ex is NetworkInformationException or PlatformNotSupportedException)
        {
            return -1;
        }
    }

    private static bool IsUnusableOnWindows(UnicastIPAddressInformation unicast)
    {
        if (!OperatingSystem.IsWindows())
        {
            return false;
        }

        // Temporary (privacy) addresses change every few hours and would break long sessions;
        // deprecated/tentative/duplicate ones are about to go away or not usable yet.
        return unicast.SuffixOrigin == SuffixOrigin.Random
            || unicast.DuplicateAddressDetectionState != DuplicateAddressDetectionState.Preferred;
    }

    private static IPAddress WithoutScope(IPAddress address) =>
        address.ScopeId == 0 ? address : new IPAddress(address.GetAddressBytes());

    /// <summary>
    /// System.Net.NetworkInformation does not expose address flags on Linux; the kernel lists
    /// them in /proc/net/if_inet6 ("address ifindex prefixlen scope flags name", hex fields).
    /// </summary>
    private static HashSet<IPAddress>? ReadUnusableLinuxIPv6Addresses()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var lines = File.ReadAllLines("/proc/net/if_inet6");
            var unusable = new HashSet<IPAddress>();
            Span<byte> bytes = stackalloc byte[16];
            foreach (var line in lines)
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 6 || fields[0].Length != 32
                    || !int.TryParse(fields[4], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int flags)
                    || (flags & IfaUnusableFlags) == 0)
                {
                    continue;
                }

                bool ok = true;
                for (int i = 0; i < 16 && ok; i++)
                {
                    ok = byte.TryParse(fields[0].AsSpan(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i]);
                }

                if (ok)
                {
                    unusable.Add(new IPAddress(bytes));
                }
            }

            return unusable;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
