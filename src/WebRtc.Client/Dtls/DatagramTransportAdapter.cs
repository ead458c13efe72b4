using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
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

    /// <summary>
    /// What BouncyCastle may receive: any datagram the socket delivers, not the send MTU. A peer
    /// with a larger path MTU (usrsctp's 1280-byte packets make 1309-byte records) is within its rights.
    /// </summary>
    public const int MaxDatagram = 65535;

    private readonly IDatagramTransport _inner;
    private readonly int _mtu;
    private readonly int _queueLimit;
    private readonly ILogger _logger;
    private readonly LogRateLimiter _dropLog = new(TimeSpan.FromSeconds(1));
    private readonly object _sendGate = new();
    private DtlsAeadRecordLayer? _epochOneWriter;
    private readonly byte[] _heldChangeCipherSpec = new byte[RecordHeaderLength + 1];
    private int _heldChangeCipherSpecLength;
    private long _nextEpochOneSequence;
    private readonly Queue<(byte[] Buffer, int Length)> _queue = new();
    private readonly object _gate = new();
    private const int MaxHeld = 16;
    private readonly Queue<(byte[] Buffer, int Length)> _held = new();
    private ChangeCipherSpecGuard? _guard;
    private bool _closed;
    private volatile bool _receiving = true;
    private long _dropped;

    public DatagramTransportAdapter(IDatagramTransport inner, int mtu, int queueLimit, ILogger logger)
    {
        _inner = inner;
        _mtu = mtu;
        _queueLimit = queueLimit;
        _logger = logger;
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

    /// <summary>
    /// Makes the record layer <paramref name="create"/> makes the only writer of epoch 1: every epoch-1 record
    /// BouncyCastle sends (a retransmitted Finished, alerts) is re-sealed under its sequence numbers.
    /// <paramref name="create"/> gets the first epoch-1 sequence number BouncyCastle has not used.
    /// </summary>
    public DtlsAeadRecordLayer? TakeOverEpochOne(Func<ulong, DtlsAeadRecordLayer?> create)
    {
        lock (_sendGate)
        {
            _epochOneWriter = create((ulong)_nextEpochOneSequence);
            return _epochOneWriter;
        }
    }

    /// <summary>Logs (Debug, at most once a second with a count of the rest) a datagram or record that is dropped.</summary>
    public void LogDrop(string why, int length)
    {
        if (_logger.IsEnabled(LogLevel.Debug) && _dropLog.TryAcquire(out long suppressed))
        {
            _logger.LogDebug("DTLS dropped a {Length}-byte datagram or record: {Reason} ({Suppressed} more dropped since the last line)", length, why, suppressed);
        }
    }

    /// <summary>
    /// Stops taking datagrams from the peer (those queued are dropped), before this side sends
    /// close_notify: the peer's answering close_notify must not make BouncyCastle's receive thread
    /// send a second one while the closing thread is still inside its close.
    /// </summary>
    public void StopReceiving()
    {
        _receiving = false;
        lock (_gate)
        {
            while (_queue.TryDequeue(out var item) || _held.TryDequeue(out item))
            {
                ArrayPool<byte>.Shared.Return(item.Buffer);
            }
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        if (!_receiving)
        {
            LogDrop("this side is closing", datagram.Length);
            return;
        }

        if (Intercept is { } intercept && intercept(datagram))
        {
            return;
        }

        Enqueue(datagram);
    }

    /// <summary>Queues a datagram (or one record of it) for BouncyCastle's handshake and record layer.</summary>
    public void Enqueue(ReadOnlySpan<byte> datagram)
    {
        // RFC 7983: DTLS records start with a content type in 20..63; anything else is not ours.
        if (datagram.Length < RecordHeaderLength || datagram[0] < 20 || datagram[0] > 63 || datagram.Length > MaxDatagram)
        {
            Interlocked.Increment(ref _dropped);
            LogDrop(datagram.Length < RecordHeaderLength ? "shorter than a record header" : datagram.Length > MaxDatagram ? "too long" : $"first byte {datagram[0]} is no DTLS content type (RFC 7983)", datagram.Length);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(buffer);
        string why;
        lock (_gate)
        {
            // The guard sees only what the queue takes: a CertificateVerify dropped here must not count as delivered.
            if (_closed)
            {
                why = "the transport is closed";
            }
            else if (_queue.Count >= _queueLimit)
            {
                why = $"the receive queue is full ({_queueLimit} datagrams)";
            }
            else if (_guard is { } guard && !guard.MayPass(datagram))
            {
                if (_held.Count < MaxHeld)
                {
                    _held.Enqueue((buffer, datagram.Length));
                    return;
                }

                why = $"more than {MaxHeld} records held behind the client's CertificateVerify";
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

        Interlocked.Increment(ref _dropped);
        ArrayPool<byte>.Shared.Return(buffer);
        LogDrop(why, datagram.Length);
    }

    public int GetReceiveLimit() => MaxDatagram;

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
            // BouncyCastle sizes its buffer from GetReceiveLimit (less for the handshake, 2^14 + 13):
            // a larger datagram cannot be one of its records, and a truncated one would only fail.
            if (item.Length > buffer.Length)
            {
                Interlocked.Increment(ref _dropped);
                LogDrop($"longer than BouncyCastle's {buffer.Length}-byte receive buffer", item.Length);
                return 0;
            }

            item.Buffer.AsSpan(0, item.Length).CopyTo(buffer);
            return item.Length;
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

        lock (_sendGate)
        {
            // BouncyCastle sends its ChangeCipherSpec alone, then the Finished. Apart, the peer may get
            // the CCS and lose the Finished: it then reads our first application data in the new epoch
            // before the handshake is done, which NSS (Firefox) answers with a fatal unexpected_message.
            // Held and sent in one datagram with the Finished, as BoringSSL does, they arrive or not together.
            if (IsLoneChangeCipherSpec(buffer))
            {
                buffer.CopyTo(_heldChangeCipherSpec);
                _heldChangeCipherSpecLength = buffer.Length;
                return;
            }

            byte[]? joined = null;
            if (_heldChangeCipherSpecLength > 0)
            {
                joined = ArrayPool<byte>.Shared.Rent(_heldChangeCipherSpecLength + buffer.Length);
                _heldChangeCipherSpec.AsSpan(0, _heldChangeCipherSpecLength).CopyTo(joined);
                buffer.CopyTo(joined.AsSpan(_heldChangeCipherSpecLength));
                buffer = joined.AsSpan(0, _heldChangeCipherSpecLength + buffer.Length);
                _heldChangeCipherSpecLength = 0;
            }

            try
            {
                if (_epochOneWriter is { } writer)
                {
                    SendResealed(writer, buffer);
                    return;
                }

                NoteEpochOneSequences(buffer);

                // UDP semantics: a refused send is a lost datagram, and DTLS retransmits handshake flights itself.
                _inner.TrySend(buffer);
            }
            finally
            {
                if (joined is not null)
                {
                    ArrayPool<byte>.Shared.Return(joined);
                }
            }
        }
    }

    private static bool IsLoneChangeCipherSpec(ReadOnlySpan<byte> datagram) =>
        datagram.Length == RecordHeaderLength + 1
        && datagram[0] == DtlsAeadRecordLayer.ChangeCipherSpec
        && BinaryPrimitives.ReadUInt16BigEndian(datagram[11..]) == 1;

    // Before the takeover: the highest epoch-1 sequence number BouncyCastle used (its Finished, and
    // any retransmission of it), so ours continue right after (RFC 6347 §4.1: one counter per epoch).
    private void NoteEpochOneSequences(ReadOnlySpan<byte> datagram)
    {
        while (datagram.Length >= RecordHeaderLength)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(datagram[3..]) == DtlsAeadRecordLayer.Epoch)
            {
                long sequence = (long)(((ulong)BinaryPrimitives.ReadUInt16BigEndian(datagram[5..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(datagram[7..]));
                _nextEpochOneSequence = Math.Max(_nextEpochOneSequence, sequence + 1);
            }

            datagram = datagram[DtlsAeadRecordLayer.FirstRecordLength(datagram)..];
        }
    }

    // After it: BouncyCastle's own epoch-1 counter would repeat numbers (and GCM nonces) that ours
    // used, so each of its epoch-1 records is opened with the same key and sealed again under ours.
    // Rare: a retransmitted final flight, alerts, close_notify.
    private void SendResealed(DtlsAeadRecordLayer writer, ReadOnlySpan<byte> datagram)
    {
        var output = ArrayPool<byte>.Shared.Rent(datagram.Length);
        var scratch = ArrayPool<byte>.Shared.Rent(datagram.Length);
        try
        {
            int length = writer.Reseal(datagram, output, scratch);
            if (length < 0)
            {
                _logger.LogDebug("DTLS: a {Length}-byte datagram from the handshake layer was not sent: it could not be re-sealed under our epoch-1 sequence numbers (AEAD limit reached or malformed)", datagram.Length);
                return;
            }

            _inner.TrySend(output.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
            ArrayPool<byte>.Shared.Return(scratch, clearArray: true);
        }
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
