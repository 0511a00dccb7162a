using System.Globalization;

namespace JaxToolchain.Benchmarks;

/// <summary>A measured quantity: a median time in seconds or a byte count.</summary>
internal sealed record Quantity(double Value, bool IsBytes)
{
    public static Quantity Seconds(double seconds) => new(seconds, IsBytes: false);

    public static Quantity Bytes(long bytes) => new(bytes, IsBytes: true);

    /// <summary>The value with a unit that keeps it readable: 212.4ms, 35.1us, 1.52s; 48.0MiB.</summary>
    public override string ToString()
    {
        (double Scale, string Unit)[] units = IsBytes
            ? [(1L << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB"), (1, "B")]
            : [(1, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns")];
        var (scale, unit) = units.FirstOrDefault(u => Math.Abs(Value) >= u.Scale, units[^1]);
        return (Value / scale).ToString(IsBytes && scale == 1 ? "F0" : "F1", CultureInfo.InvariantCulture) + unit;
    }
}

/// <summary>One line of the table: a workload, our figure and the peer's (null where there is none).</summary>
internal sealed record WorkloadResult(string Name, Quantity? Ours, Quantity? Peer)
{
    /// <summary>peer / ours: above 1 we are faster (or, for memory, use less).</summary>
    public string Ratio
    {
        get
        {
            if (Ours is not { Value: > 0 } ours || Peer is not { } peer) return "-";
            double ratio = peer.Value / ours.Value;
            return ratio.ToString(ratio >= 0.1 ? "F2" : "G2", CultureInfo.InvariantCulture);
        }
    }

    public override string ToString() => $"{Name} {Ours?.ToString() ?? "-"} {Peer?.ToString() ?? "-"} {Ratio}";
}

/// <summary>The closing table: the machine, a header, one line per workload; printed and written to a file.</summary>
internal static class ResultTable
{
    public static string Format(IEnumerable<string> machineLines, IEnumerable<WorkloadResult> results) =>
        string.Join('\n', [.. machineLines.Select(line => "# " + line), "name ours peer ratio", .. results.Select(r => r.ToString())]) + "\n";

    public static void Write(string table, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, table);
    }
}
