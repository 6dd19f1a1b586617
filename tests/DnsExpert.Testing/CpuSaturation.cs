namespace DnsExpert.Testing;

/// <summary>
/// Every core busy until disposed: two spinning threads per core, above normal priority. Tests that the same input
/// gives the same result at any load run their work once idle and once inside one of these.
/// </summary>
public sealed class CpuSaturation : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _spinners;

    public CpuSaturation()
    {
        _spinners = Enumerable.Range(0, Environment.ProcessorCount * 2)
            .Select(_ => new Thread(Spin) { IsBackground = true, Priority = ThreadPriority.AboveNormal })
            .ToList();
        _spinners.ForEach(t => t.Start());
    }

    private void Spin()
    {
        var x = 0UL;
        while (!_stop.IsCancellationRequested)
        {
            x = (x * 6364136223846793005UL) + 1442695040888963407UL;
        }

        GC.KeepAlive(x);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _spinners.ForEach(t => t.Join());
        _stop.Dispose();
    }
}
