using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace WebRtc.Client.Net;

/// <summary>
/// Resolves the mDNS host names that browsers put in ICE candidates instead of their IP
/// addresses (<c>&lt;uuid&gt;.local</c>), with RFC 6762 one-shot queries: an A and an AAAA question
/// with the QU bit, sent from an ephemeral port, so responders answer by unicast. Network
/// trouble never throws: the name just does not resolve.
/// </summary>
public sealed class MdnsResolver : IDisposable
{
    /// <summary>The mDNS port.</summary>
    public const int MdnsPort = 5353;

    /// <summary>First retransmission delay; it doubles after each one (RFC 6762 §5.1 asks for at least 1 s).</summary>
    private static readonly TimeSpan FirstRetransmit = TimeSpan.FromSeconds(1);

    private readonly IPEndPoint _target;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly LogRateLimiter _malformedLog = new(TimeSpan.FromSeconds(1));
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<TaskCompletionSource<IPAddress?>>> _pending = new(StringComparer.OrdinalIgnoreCase);
    private UdpSocket? _socket;
    private bool _disposed;

    /// <summary>Creates a resolver that queries the IPv4 mDNS group, 224.0.0.251:5353.</summary>
    /// <param name="logger">Logger for Debug-level diagnostics; null for none.</param>
    public MdnsResolver(ILogger? logger = null)
        : this(DefaultTarget, logger)
    {
    }

    /// <summary>Creates a resolver that sends its queries to <paramref name="target"/>.</summary>
    /// <param name="target">Where queries go: an mDNS group (224.0.0.251:5353, [ff02::fb]:5353) or, in tests, a unicast responder.</param>
    /// <param name="logger">Logger for Debug-level diagnostics; null for none.</param>
    /// <param name="timeProvider">Clock for timeouts and retransmissions; null for <see cref="TimeProvider.System"/>.</param>
    public MdnsResolver(IPEndPoint target, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = new IPEndPoint(target.Address, target.Port); // a private copy: IPEndPoint is mutable
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The IPv4 mDNS group and port, 224.0.0.251:5353 (a new instance on each call).</summary>
    public static IPEndPoint DefaultTarget => new(new IPAddress([224, 0, 0, 251]), MdnsPort);

    /// <summary>
    /// Resolves <paramref name="hostName"/> (e.g. <c>1f4712db-ea17-4bcf-a596-105139dfd8bf.local</c>).
    /// Queries are repeated after 1 s, 2 s, 4 s ... until an answer arrives or the timeout passes.
    /// An A answer is preferred over an AAAA answer in the same response.
    /// </summary>
    /// <param name="hostName">A name in the <c>.local</c> domain; a trailing dot is allowed.</param>
    /// <param name="timeout">How long to wait for an answer; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="ct">Cancels the wait.</param>
    /// <returns>The address, or null when nothing answered in time or no query could be sent.</returns>
    /// <exception cref="ArgumentException"><paramref name="hostName"/> is not a valid <c>.local</c> name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The resolver is disposed.</exception>
    public async ValueTask<IPAddress?> ResolveAsync(string hostName, TimeSpan timeout, CancellationToken ct = default)
    {
        string name = ValidateName(hostName);
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must not be negative.");
        }

        ct.ThrowIfCancellationRequested();
        var waiter = new TaskCompletionSource<IPAddress?>(TaskCreationOptions.RunContinuationsAsynchronously);
        UdpSocket? socket;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            socket = _socket ??= OpenSocket();
            if (socket is null)
            {
                return null;
            }

            if (!_pending.TryGetValue(name, out var waiters))
            {
                _pending[name] = waiters = [];
            }

            waiters.Add(waiter);
        }

        try
        {
            byte[] query = MdnsMessage.CreateQuery(name, unicastResponse: true, MdnsMessage.TypeA, MdnsMessage.TypeAaaa).Encode();
            long start = _timeProvider.GetTimestamp();
            var interval = FirstRetransmit;
            while (true)
            {
                if (!socket.TrySend(query, _target))
                {
                    // No route to the group (e.g. no multicast-capable interface): waiting cannot help.
                    NetLog.MdnsSendFailed(_logger, name, _target);
                    return null;
                }

                var remaining = timeout == Timeout.InfiniteTimeSpan
                    ? Timeout.InfiniteTimeSpan
                    : timeout - _timeProvider.GetElapsedTime(start);
                if (remaining != Timeout.InfiniteTimeSpan && remaining < TimeSpan.Zero)
                {
                    remaining = TimeSpan.Zero;
                }

                var wait = remaining == Timeout.InfiniteTimeSpan || remaining > interval ? interval : remaining;
                try
                {
                    return await waiter.Task.WaitAsync(wait, _timeProvider, ct).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    if (wait == remaining)
                    {
                        NetLog.MdnsTimeout(_logger, name);
                        return null;
                    }
                }

                interval *= 2;
            }
        }
        finally
        {
            lock (_gate)
            {
                if (_pending.TryGetValue(name, out var waiters) && waiters.Remove(waiter) && waiters.Count == 0)
                {
                    _pending.Remove(name);
                }
            }
        }
    }

    /// <summary>Closes the socket; resolutions in progress return null.</summary>
    public void Dispose()
    {
        List<TaskCompletionSource<IPAddress?>> waiters;
        UdpSocket? socket;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            socket = _socket;
            _socket = null;
            waiters = _pending.Values.SelectMany(w => w).ToList();
            _pending.Clear();
        }

        socket?.Dispose();
        foreach (var waiter in waiters)
        {
            waiter.TrySetResult(null);
        }
    }

    /// <summary>Checks that <paramref name="hostName"/> is a well-formed .local name; returns it without a trailing dot.</summary>
    private static string ValidateName(string hostName)
    {
        ArgumentNullException.ThrowIfNull(hostName);
        string name = hostName.EndsWith('.') ? hostName[..^1] : hostName;
        if (!name.EndsWith(".local", StringComparison.OrdinalIgnoreCase) || name.Length <= ".local".Length)
        {
            throw new ArgumentException($"'{hostName}' is not an mDNS name: it must end in '.local'.", nameof(hostName));
        }

        int total = 1;
        foreach (var label in name.Split('.'))
        {
            int length = Encoding.UTF8.GetByteCount(label);
            total += length + 1;
            if (length is 0 or > 63 || total > 255)
            {
                throw new ArgumentException($"'{hostName}' is not a valid DNS name (empty or over-long label, or over 255 bytes).", nameof(hostName));
            }
        }

        return name;
    }

    private UdpSocket? OpenSocket()
    {
        var family = _target.AddressFamily;
        IPAddress local = IPAddress.IsLoopback(_target.Address)
            ? (family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback)
            : (family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any);
        UdpSocket? socket = null;
        try
        {
            // An ephemeral source port (not 5353) makes this a one-shot query (RFC 6762 §5.1).
            socket = UdpSocket.Bind(new IPEndPoint(local, 0), _logger);
            if (IsMulticast(_target.Address))
            {
                // RFC 6762 §11: mDNS packets go out with IP TTL / hop limit 255; loopback on so a
                // responder on this host hears the query too.
                var level = family == AddressFamily.InterNetworkV6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP;
                socket.Socket.SetSocketOption(level, SocketOptionName.MulticastTimeToLive, 255);
                socket.Socket.SetSocketOption(level, SocketOptionName.MulticastLoopback, true);
            }

            socket.Start(OnDatagram);
            return socket;
        }
        catch (SocketException ex)
        {
            socket?.Dispose();
            NetLog.MdnsSocketFailed(_logger, ex, _target);
            return null;
        }
    }

    private static bool IsMulticast(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? address.IsIPv6Multicast
            : (address.GetAddressBytes()[0] & 0xF0) == 224;

    private void OnDatagram(UdpSocket socket, ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        if (!MdnsMessage.TryParse(datagram, out var message))
        {
            if (_malformedLog.TryAcquire(out _))
            {
                NetLog.MdnsMalformed(_logger, remote);
            }

            return;
        }

        if (!message.IsResponse)
        {
            return;
        }

        // A before AAAA: IPv4 host candidates are what browsers hide behind mDNS names in practice.
        foreach (var type in (ReadOnlySpan<ushort>)[MdnsMessage.TypeA, MdnsMessage.TypeAaaa])
        {
            foreach (var section in (ReadOnlySpan<List<MdnsRecord>>)[message.Answers, message.Additionals])
            {
                foreach (var record in section)
                {
                    if (record.Type == type && record.Address is { } address)
                    {
                        Complete(record.Name, address);
                    }
                }
            }
        }
    }

    private void Complete(string name, IPAddress address)
    {
        TaskCompletionSource<IPAddress?>[] waiters;
        lock (_gate)
        {
            if (!_pending.Remove(name.TrimEnd('.'), out var list))
            {
                return;
            }

            waiters = [.. list];
        }

        // Completed outside the lock; continuations run asynchronously anyway.
        foreach (var waiter in waiters)
        {
            waiter.TrySetResult(address);
        }
    }
}
