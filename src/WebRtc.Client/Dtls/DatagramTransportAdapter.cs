using System.Buffers;
using Org.BouncyCastle.Tls;
using WebRtc.Client.Net;

namespace WebRtc.Client.Dtls;

/// <summary>Takes a datagram off the queued path; true when consumed.</summary>
internal delegate bool DatagramInterceptor(ReadOnlySpan<byte> datagram);

/// <summary>
/// Bridges the push-style <see cref="IDatagramTransport"/> to BouncyCastle's blocking
/// <see cref="DatagramTransport"/>: the receive callback only copies the datagram into a
/// pooled buffer and queues it, so the ICE receive loop never waits on the DTLS thread.
/// </summary>
internal sealed class DatagramTransportAdapter : DatagramTransport
{
    private const int RecordHeaderLength = DtlsAeadRecordLayer.HeaderLength;

    private readonly IDatagramTransport _inner;
    private readonly int _mtu;
    private readonly int _queueLimit;
    private readonly Queue<(byte[] Buffer, int Length)> _queue = new();
    private readonly object _gate = new();
    private const int MaxHeld = 16;
    private readonly Queue<(byte[] Buffer, int Length)> _held = new();
    private ChangeCipherSpecGuard? _guard;
    private bool _closed;
    private long _dropped;

    public DatagramTransportAdapter(IDatagramTransport inner, int mtu, int queueLimit)
    {
        _inner = inner;
        _mtu = mtu;
        _queueLimit = queueLimit;
        _inner.Receiver = OnDatagram;
    }

    /// <summary>Datagrams dropped: not DTLS by RFC 7983, oversized, queue full, or more held than <see cref="MaxHeld"/>.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>True once closed by either side.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>Sees every datagram first; returns true when it consumed it (the fast application-data path).</summary>
    public DatagramInterceptor? Intercept { get; set; }

    /// <summary>
    /// As DTLS server: holds the client's ChangeCipherSpec and later-epoch records until its
    /// CertificateVerify is queued (see <see cref="ChangeCipherSpecGuard"/>). Call before the handshake starts.
    /// </summary>
    public void GuardChangeCipherSpec()
    {
        lock (_gate)
        {
            _guard = new ChangeCipherSpecGuard();
        }
    }

    /// <summary>Sends a datagram as is (a record already protected by the fast path).</summary>
    public bool SendRaw(ReadOnlySpan<byte> datagram) => !IsClosed && _inner.TrySend(datagram);

    private void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        if (Intercept is { } intercept && intercept(datagram))
        {
            return;
        }

        // RFC 7983: DTLS records start with a content type in 20..63; anything else is not ours.
        if (datagram.Length < RecordHeaderLength || datagram[0] < 20 || datagram[0] > 63 || datagram.Length > 65535)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(buffer);
        lock (_gate)
        {
            // The guard sees only what the queue takes: a CertificateVerify dropped here must not count as delivered.
            if (!_closed && _queue.Count < _queueLimit)
            {
                if (_guard is { } guard && !guard.MayPass(datagram))
                {
                    if (_held.Count < MaxHeld)
                    {
                        _held.Enqueue((buffer, datagram.Length));
                        return;
                    }
                }
                else
                {
                    _queue.Enqueue((buffer, datagram.Length));
                    if (_guard is { CertificateVerifyComplete: true })
                    {
                        // What was held goes after the datagram that completed the CertificateVerify.
                        while (_held.TryDequeue(out var held))
                        {
                            _queue.Enqueue(held);
                        }

                        _guard = null;
                    }

                    Monitor.PulseAll(_gate);
                    return;
                }
            }
        }

        Interlocked.Increment(ref _dropped);
        ArrayPool<byte>.Shared.Return(buffer);
    }

    public int GetReceiveLimit() => _mtu;

    public int GetSendLimit() => _mtu;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        (byte[] Buffer, int Length) item;
        lock (_gate)
        {
            var deadline = Environment.TickCount64 + Math.Max(0, waitMillis);
            while (_queue.Count == 0)
            {
                if (_closed)
                {
                    throw new IOException("The DTLS transport is closed.");
                }

                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    return -1;
                }

                Monitor.Wait(_gate, (int)remaining);
            }

            item = _queue.Dequeue();
        }

        try
        {
            // A datagram larger than the caller's buffer is truncated; BouncyCastle then drops the bad record.
            var length = Math.Min(item.Length, buffer.Length);
            item.Buffer.AsSpan(0, length).CopyTo(buffer);
            return length;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(item.Buffer);
        }
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (IsClosed)
        {
            throw new IOException("The DTLS transport is closed.");
        }

        // UDP semantics: a refused send is a lost datagram, and DTLS retransmits handshake flights itself.
        _inner.TrySend(buffer);
    }

    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            while (_queue.TryDequeue(out var item) || _held.TryDequeue(out item))
            {
                ArrayPool<byte>.Shared.Return(item.Buffer);
            }

            Monitor.PulseAll(_gate);
        }

        _inner.Receiver = null;
    }
}
