using WebRtc.Client.Net;

namespace WebRtc.Client.Tests.Net;

[TestFixture]
public class TcpSendQueueTests
{
    [Test]
    public void FramesAcrossChunkBoundaries_ComeOutWhole_AndAreCountedOnce()
    {
        var queue = new TcpSendQueue(10 << 20);
        var rng = new Random(1);
        var expected = new List<byte>();
        int frames = 0;
        for (int i = 0; i < 300; i++)
        {
            var frame = new byte[rng.Next(0, 5000)];
            rng.NextBytes(frame);
            byte[] prefix = [(byte)(frame.Length >> 8), (byte)frame.Length];
            Assert.That(queue.TryEnqueue(prefix, frame), Is.EqualTo(TcpEnqueueResult.Enqueued));
            expected.AddRange(prefix);
            expected.AddRange(frame);
            frames++;
        }

        Assert.That(queue.QueuedBytes, Is.EqualTo(expected.Count));
        var written = new List<byte>();
        int counted = 0;
        while (queue.TryTake(out var chunk, out _) == TcpTakeResult.Chunk)
        {
            Assert.That(chunk.Length, Is.LessThanOrEqualTo(TcpSendQueue.ChunkSize));
            written.AddRange(chunk.Buffer.AsSpan(0, chunk.Length).ToArray());
            counted += chunk.Frames;
            TcpSendQueue.ReturnChunk(chunk);
        }

        Assert.That(written.SequenceEqual(expected), Is.True);
        Assert.That(counted, Is.EqualTo(frames));
        Assert.That(queue.QueuedBytes, Is.Zero);
    }

    [Test]
    public void FrameEndingExactlyAtAChunkEnd_IsCountedInThatChunk()
    {
        var queue = new TcpSendQueue(1 << 20);
        Assert.That(queue.TryEnqueue([], new byte[TcpSendQueue.ChunkSize]), Is.EqualTo(TcpEnqueueResult.Enqueued));
        Assert.That(queue.TryTake(out var chunk, out _), Is.EqualTo(TcpTakeResult.Chunk));
        Assert.That((chunk.Length, chunk.Frames), Is.EqualTo((TcpSendQueue.ChunkSize, 1)));
        TcpSendQueue.ReturnChunk(chunk);
        Assert.That(queue.TryTake(out _, out var wake), Is.EqualTo(TcpTakeResult.Wait));
        Assert.That(wake.IsCompleted, Is.False);
        queue.Close();
    }

    [Test]
    public void Limit_DropsWholeFrames_AndTakingMakesRoom()
    {
        var queue = new TcpSendQueue(100);
        Assert.That(queue.TryEnqueue([], new byte[60]), Is.EqualTo(TcpEnqueueResult.Enqueued));
        Assert.That(queue.TryEnqueue([], new byte[41]), Is.EqualTo(TcpEnqueueResult.Full));
        Assert.That(queue.TryEnqueue([], new byte[40]), Is.EqualTo(TcpEnqueueResult.Enqueued));
        Assert.That(queue.QueuedBytes, Is.EqualTo(100));
        Assert.That(queue.TryTake(out var chunk, out _), Is.EqualTo(TcpTakeResult.Chunk));
        Assert.That((chunk.Length, chunk.Frames), Is.EqualTo((100, 2)));
        TcpSendQueue.ReturnChunk(chunk);
        Assert.That(queue.TryEnqueue([], new byte[100]), Is.EqualTo(TcpEnqueueResult.Enqueued));
        queue.Close();
    }

    [Test]
    public async Task WaitingWriter_IsWokenByEnqueue_AndByClose()
    {
        var queue = new TcpSendQueue(1000);
        Assert.That(queue.TryTake(out _, out var wake), Is.EqualTo(TcpTakeResult.Wait));
        Assert.That(queue.TryEnqueue([1], [2, 3]), Is.EqualTo(TcpEnqueueResult.Enqueued));
        await wake.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(queue.TryTake(out var chunk, out _), Is.EqualTo(TcpTakeResult.Chunk));
        Assert.That(chunk.Buffer.AsSpan(0, chunk.Length).ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
        TcpSendQueue.ReturnChunk(chunk);

        Assert.That(queue.TryTake(out _, out wake), Is.EqualTo(TcpTakeResult.Wait));
        queue.Close();
        await wake.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(queue.TryTake(out _, out _), Is.EqualTo(TcpTakeResult.Closed));
        Assert.That(queue.TryEnqueue([], [1]), Is.EqualTo(TcpEnqueueResult.Closed));
    }

    [Test]
    public void Close_FreesQueuedChunks()
    {
        var queue = new TcpSendQueue(1 << 20);
        for (int i = 0; i < 10; i++)
        {
            queue.TryEnqueue([], new byte[20_000]);
        }

        queue.Close();
        Assert.That(queue.QueuedBytes, Is.Zero);
        Assert.That(queue.TryTake(out _, out _), Is.EqualTo(TcpTakeResult.Closed));
    }
}
