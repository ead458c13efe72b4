using System.Net.WebSockets;
using WebRtc.Client.Signaling;

namespace WebRtc.Client.Tests.Signaling;

/// <summary>
/// A <see cref="WebSocketSignalingChannel"/> whose socket is aborted under its read: the channel must
/// still close (Completion, end of stream) rather than lose its receive loop to the exception.
/// </summary>
public class WebSocketSignalingChannelAbortTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Test]
    public async Task CancelingASendMidway_AbortsTheSocket_AndTheChannelClosesAsConnectionLost()
    {
        // .NET's WebSocket aborts itself when a send is canceled midway; its pending read then throws
        // OperationCanceledException, which is not the channel's own stop.
        var stream = new StalledStream();
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { KeepAliveInterval = System.Threading.Timeout.InfiniteTimeSpan });
        var channel = new WebSocketSignalingChannel(socket, new WebSocketSignalingOptions { CloseTimeout = TimeSpan.FromSeconds(1) });
        using var cancel = new CancellationTokenSource();
        var send = channel.SendAsync(SignalingMessage.Bye(), cancel.Token);
        await stream.WriteStarted.WaitAsync(Timeout);

        await cancel.CancelAsync();

        await Assert.ThatAsync(() => send, Throws.InstanceOf<OperationCanceledException>());
        var closed = await channel.Completion.WaitAsync(Timeout);
        Assert.That(closed.Reason, Is.EqualTo(SignalingCloseReason.ConnectionLost));
        Assert.That(await channel.ReceiveAsync().AsTask().WaitAsync(Timeout), Is.Null, "the stream ends");
        await Assert.ThatAsync(() => channel.DisposeAsync().AsTask().WaitAsync(Timeout), Throws.Nothing);
    }

    /// <summary>A connection where nothing arrives and writes never finish, until it is disposed.</summary>
    private sealed class StalledStream : Stream
    {
        private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _writeStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task WriteStarted => _writeStarted.Task;

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _disposed.Task.WaitAsync(cancellationToken);
            throw new ObjectDisposedException(nameof(StalledStream));
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _writeStarted.TrySetResult();
            await _disposed.Task.WaitAsync(cancellationToken);
            throw new ObjectDisposedException(nameof(StalledStream));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _disposed.TrySetResult();
            base.Dispose(disposing);
        }
    }
}
