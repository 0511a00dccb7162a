namespace JaxToolchain.Ir.StableHlo;

/// <summary>The StableHLO operations our IR has no counterpart for by design, by kind.</summary>
public static class OperationCategories
{
    private static readonly HashSet<string> Collectives = new(StringComparer.Ordinal)
    {
        "stablehlo.all_gather", "stablehlo.all_reduce", "stablehlo.all_to_all", "stablehlo.collective_permute",
        "stablehlo.collective_broadcast", "stablehlo.reduce_scatter", "stablehlo.replica_id", "stablehlo.partition_id",
        "stablehlo.cross-replica-sum",
    };

    private static readonly HashSet<string> HostIoOperations = new(StringComparer.Ordinal)
    {
        "stablehlo.infeed", "stablehlo.outfeed", "stablehlo.send", "stablehlo.recv", "stablehlo.after_all",
        "stablehlo.create_token", "stablehlo.token", "stablehlo.probe", "check.expect_serialized_eq", "interpreter.print",
        "interpreter.probe",
    };

    /// <summary>True for collective operations (all_gather, all_reduce, all_to_all, collective_permute, ..., replica and partition ids).</summary>
    public static bool Collective(string name) => Collectives.Contains(name) || name.StartsWith("stablehlo.collective", StringComparison.Ordinal);

    /// <summary>True for host I/O operations (infeed, outfeed, send, recv, after_all, tokens, probes that write files).</summary>
    public static bool HostIo(string name) => HostIoOperations.Contains(name);
}
