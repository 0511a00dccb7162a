using System.Security.Cryptography;
using System.Text;
using JaxToolchain.Backends.Cpu.Codegen;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu;

/// <summary>
/// The object cache of <see cref="CpuLibraryBuilder.ObjectCache"/>: <c>&lt;sha256&gt;.o</c> (the object) and
/// <c>&lt;sha256&gt;.sig</c> (its symbol order and scratch sizes, one per line) per compiled kernel and target. Entries are
/// written to a temporary name and moved in place, so a build that stops half way leaves no torn entry; an entry that
/// cannot be read is compiled again.
/// </summary>
internal sealed class ObjectCacheFolder(string directory)
{
    // Part of every key: a new backend build may generate other code for the same IR.
    private static readonly string BackendVersion =
        typeof(ObjectCacheFolder).Assembly.ManifestModule.ModuleVersionId.ToString();

    public int Hits { get; private set; }

    public int Misses { get; private set; }

    public KernelSignature? TryGet(CpuTarget target, LibraryKernel kernel, string symbol, string irText, List<byte[]> objects)
    {
        string key = Key(target, kernel, symbol, irText);
        string obj = Path.Combine(directory, key + ".o"), sig = Path.Combine(directory, key + ".sig");
        try
        {
            if (File.Exists(obj) && File.Exists(sig))
            {
                string[] lines = File.ReadAllLines(sig);
                var symbols = lines[0].Length == 0 ? [] : lines[0].Split(' ');
                var scratch = lines[1].Length == 0 ? [] : lines[1].Split(';').Select(SymbolicSize.Parse).ToArray();
                var function = kernel.Function;
                var signature = new KernelSignature(symbol, function.ParameterTypes, function.ResultTypes, symbols, scratch);
                objects.Add(File.ReadAllBytes(obj));
                Hits++;
                return signature;
            }
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
        }
        Misses++;
        return null;
    }

    public void Put(CpuTarget target, LibraryKernel kernel, string symbol, string irText, byte[] code, KernelSignature signature)
    {
        Directory.CreateDirectory(directory);
        string key = Key(target, kernel, symbol, irText);
        Write(Path.Combine(directory, key + ".sig"), Encoding.UTF8.GetBytes(
            $"{string.Join(' ', signature.Symbols)}\n{string.Join(';', signature.Scratch.Select(s => s.ToString()))}\n"));
        Write(Path.Combine(directory, key + ".o"), code);
    }

    private static void Write(string path, byte[] bytes)
    {
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    private static string Key(CpuTarget target, LibraryKernel kernel, string symbol, string irText)
    {
        string text = string.Join("\n", BackendVersion, target.Triple, target.Cpu, target.Features, target.Isa, symbol,
            string.Join(",", kernel.Donated.Order()), irText);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
