using System.Text;
using BenchmarkDotNet.Attributes;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Benchmarks;

/// <summary>
/// STUN on the ICE hot path: a connectivity check (USERNAME, PRIORITY, ICE-CONTROLLING,
/// USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT) parsed and verified, and written, with the
/// allocation-free reader/writer against the object model in the same run.
/// </summary>
[MemoryDiagnoser]
public class StunBenchmarks
{
    private readonly byte[] _buffer = new byte[256];
    private byte[] _key = [];
    private byte[] _request = [];
    private StunTransactionId _id;
    private StunMessage _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = Encoding.UTF8.GetBytes("asd88fgpdd777uzjYhagZg"); // a 22-character ice-pwd
        _id = StunTransactionId.NewRandom();
        int length = Write();
        _request = _buffer.AsSpan(0, length).ToArray();
        if (!StunMessage.TryParse(_request, _key, out var message) || !ReaderParseVerify())
        {
            throw new InvalidOperationException("The benchmark request does not verify.");
        }

        _message = message!;
    }

    /// <summary>(a) StunReader: parse, FINGERPRINT (checked by TryParse), MESSAGE-INTEGRITY, read the ICE attributes.</summary>
    [Benchmark]
    public bool ReaderParseVerify()
    {
        return StunReader.TryParse(_request, out var reader, out _)
            && reader.HasFingerprint
            && reader.VerifyMessageIntegrity(_key)
            && reader.TryGetAttribute(StunAttributeType.Username, out _)
            && reader.TryGetUInt32(StunAttributeType.Priority, out _)
            && reader.TryGetUInt64(StunAttributeType.IceControlling, out _)
            && reader.HasAttribute(StunAttributeType.UseCandidate);
    }

    /// <summary>(b) StunWriter: the same request into a reused buffer.</summary>
    [Benchmark]
    public int WriterWrite() => Write();

    /// <summary>(c) Baseline: the same parse and verification through the object model.</summary>
    [Benchmark(Baseline = true)]
    public StunMessage? ObjectModelParse() => StunMessage.TryParse(_request, _key, out var message) ? message : null;

    /// <summary>(d) Baseline: the same request written through the object model.</summary>
    [Benchmark]
    public byte[] ObjectModelWrite() => _message.ToArray(_key);

    private int Write()
    {
        var writer = new StunWriter(_buffer, StunMessageType.BindingRequest, _id);
        writer.AddString(StunAttributeType.Username, "remoteufrag:localufrag");
        writer.AddUInt32(StunAttributeType.Priority, 0x6E0001FF);
        writer.AddUInt64(StunAttributeType.IceControlling, 0x0123456789ABCDEF);
        writer.AddFlag(StunAttributeType.UseCandidate);
        writer.AddMessageIntegrity(_key);
        writer.AddFingerprint();
        return writer.Length;
    }
}
