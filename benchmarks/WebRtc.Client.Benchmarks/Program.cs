using BenchmarkDotNet.Running;

namespace WebRtc.Client.Benchmarks;

/// <summary>Entry point: pass BenchmarkDotNet arguments, e.g. <c>--filter '*Stun*' --job short</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
