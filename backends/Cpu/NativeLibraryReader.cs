using System.Buffers.Binary;
using System.Text;
namespace JaxToolchain.Backends.Cpu;

/// <summary>What a shared library's headers say.</summary>
/// <param name="Format">ELF, COFF (PE) or Mach-O.</param>
/// <param name="Machine">The architecture: <c>x86-64</c> or <c>arm64</c>.</param>
/// <param name="IsSharedLibrary">ELF <c>ET_DYN</c>, a PE with <c>IMAGE_FILE_DLL</c>, a Mach-O <c>MH_DYLIB</c>.</param>
/// <param name="Exports">The exported symbols (without Mach-O's leading underscore).</param>
/// <param name="Imports">The libraries it needs at load time (ELF <c>DT_NEEDED</c>, PE import directory, Mach-O <c>LC_LOAD_DYLIB</c>).</param>
/// <param name="Undefined">
/// Symbols the file refers to but does not define, which a loader would have to find elsewhere (ELF dynamic symbols and
/// Mach-O external symbols with no section; a PE names its imports in <paramref name="Imports"/>).
/// </param>
/// <param name="IsCodeSigned">A Mach-O file with <c>LC_CODE_SIGNATURE</c> (Apple silicon loads no unsigned code); false for the others.</param>
internal sealed record NativeLibraryHeaders(
    ObjectFormat Format, string Machine, bool IsSharedLibrary, IReadOnlySet<string> Exports, IReadOnlyList<string> Imports,
    IReadOnlyList<string> Undefined, bool IsCodeSigned = false);

/// <summary>
/// A small reader of ELF64, PE32+ and Mach-O 64 headers, enough to check what the linker produced (format, machine,
/// exports, no imports, no undefined symbols) without llvm-readobj: <see cref="CpuLibraryBuilder"/> checks every library
/// it links with it. Little-endian files only: every target we ship is.
/// </summary>
internal static class NativeLibraryReader
{
    public static NativeLibraryHeaders Read(string path) => Read(File.ReadAllBytes(path));

    public static NativeLibraryHeaders Read(byte[] file)
    {
        if (file.AsSpan().StartsWith("\u007fELF"u8)) return ReadElf(file);
        if (file.AsSpan().StartsWith("MZ"u8)) return ReadPe(file);
        if (U32(file, 0) == 0xFEEDFACF) return ReadMachO(file);
        throw new InvalidDataException($"not an ELF, PE or Mach-O file (starts with {Convert.ToHexString(file.AsSpan(0, Math.Min(4, file.Length)))})");
    }

    private static ushort U16(byte[] f, long at) => BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(checked((int)at)));
    private static uint U32(byte[] f, long at) => BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(checked((int)at)));
    private static long I64(byte[] f, long at) => BinaryPrimitives.ReadInt64LittleEndian(f.AsSpan(checked((int)at)));

    private static string CString(byte[] f, long at)
    {
        int start = checked((int)at);
        int end = Array.IndexOf(f, (byte)0, start);
        return Encoding.UTF8.GetString(f, start, end - start);
    }

    private static NativeLibraryHeaders ReadElf(byte[] f)
    {
        if (f[4] != 2 || f[5] != 1) throw new InvalidDataException("not a little-endian ELF64 file");
        ushort type = U16(f, 16), machine = U16(f, 18);
        long sectionHeaders = I64(f, 40);
        int sectionSize = U16(f, 58), sectionCount = U16(f, 60);
        var exports = new HashSet<string>();
        var imports = new List<string>();
        var undefined = new List<string>();
        for (int s = 0; s < sectionCount; s++)
        {
            long header = sectionHeaders + (s * sectionSize);
            uint sectionType = U32(f, header + 4);
            long offset = I64(f, header + 24), size = I64(f, header + 32), entrySize = I64(f, header + 56);
            long strings = I64(f, sectionHeaders + (U32(f, header + 40) * sectionSize) + 24);
            if (sectionType == 11) // SHT_DYNSYM: Elf64_Sym { name u32, info u8, other u8, shndx u16, value, size }
            {
                for (long e = offset + entrySize; e < offset + size; e += entrySize)
                {
                    bool global = f[e + 4] >> 4 is 1 or 2, defined = U16(f, e + 6) != 0;
                    string symbol = CString(f, strings + U32(f, e));
                    if (global && defined) exports.Add(symbol);
                    else if (!defined && symbol.Length > 0) undefined.Add(symbol);
                }
            }
            else if (sectionType == 6) // SHT_DYNAMIC: Elf64_Dyn { tag i64, value u64 }; DT_NEEDED = 1
            {
                for (long e = offset; e < offset + size; e += 16)
                    if (I64(f, e) == 1) imports.Add(CString(f, strings + I64(f, e + 8)));
            }
        }
        string name = machine switch { 62 => "x86-64", 183 => "arm64", _ => $"elf machine {machine}" };
        return new(ObjectFormat.Elf, name, type == 3, exports, imports, undefined);
    }

    private static NativeLibraryHeaders ReadPe(byte[] f)
    {
        long pe = U32(f, 0x3C);
        if (U32(f, pe) != 0x00004550) throw new InvalidDataException("no PE signature");
        ushort machine = U16(f, pe + 4), sectionCount = U16(f, pe + 6), characteristics = U16(f, pe + 22);
        long optional = pe + 24, sections = optional + U16(f, pe + 20);
        if (U16(f, optional) != 0x20B) throw new InvalidDataException("not a PE32+ image");
        long FileOffset(long rva)
        {
            for (int s = 0; s < sectionCount; s++)
            {
                long header = sections + (s * 40);
                uint virtualAddress = U32(f, header + 12), rawSize = U32(f, header + 16), rawOffset = U32(f, header + 20);
                if (rva >= virtualAddress && rva < virtualAddress + rawSize) return rva - virtualAddress + rawOffset;
            }
            throw new InvalidDataException($"RVA 0x{rva:X} is in no section");
        }
        long directories = optional + 112; // PE32+: export table, then import table, 8 bytes each
        var exports = new HashSet<string>();
        if (U32(f, directories + 4) != 0)
        {
            long export = FileOffset(U32(f, directories));
            uint nameCount = U32(f, export + 24);
            long names = FileOffset(U32(f, export + 32));
            for (int n = 0; n < nameCount; n++) exports.Add(CString(f, FileOffset(U32(f, names + (4 * n)))));
        }
        var imports = new List<string>();
        if (U32(f, directories + 12) != 0)
        {
            for (long d = FileOffset(U32(f, directories + 8)); U32(f, d + 12) != 0; d += 20)
                imports.Add(CString(f, FileOffset(U32(f, d + 12))));
        }
        string name = machine switch { 0x8664 => "x86-64", 0xAA64 => "arm64", _ => $"pe machine 0x{machine:X}" };
        return new(ObjectFormat.Coff, name, (characteristics & 0x2000) != 0, exports, imports, []);
    }

    private static NativeLibraryHeaders ReadMachO(byte[] f)
    {
        uint cpu = U32(f, 4), fileType = U32(f, 12), commandCount = U32(f, 16);
        var exports = new HashSet<string>();
        var imports = new List<string>();
        var undefined = new List<string>();
        bool signed = false;
        long command = 32;
        for (int c = 0; c < commandCount; c++)
        {
            uint kind = U32(f, command), size = U32(f, command + 4);
            if (kind is 0xC or 0x20 or 0x80000018 or 0x8000001F or 0x80000023) // LC_LOAD_DYLIB, lazy, weak, reexport, upward: name offset at +8
                imports.Add(CString(f, command + U32(f, command + 8)));
            else if (kind == 0x1D) // LC_CODE_SIGNATURE
                signed = true;
            else if (kind == 0x2) // LC_SYMTAB: symbol offset, count, string offset; nlist_64 { strx u32, type u8, sect u8, desc u16, value u64 }
                for (long e = U32(f, command + 8), end = e + (16L * U32(f, command + 12)); e < end; e += 16)
                {
                    byte symbolType = f[e + 4];
                    // N_EXT set, N_TYPE == N_UNDF, not a debugging (N_STAB) entry.
                    if ((symbolType & 0xE0) == 0 && (symbolType & 0x01) != 0 && (symbolType & 0x0E) == 0)
                        undefined.Add(CString(f, U32(f, command + 16) + U32(f, e)));
                }
            else if (kind == 0x80000033) // LC_DYLD_EXPORTS_TRIE: data offset, size
                ReadExportTrie(f, U32(f, command + 8), U32(f, command + 8), "", exports);
            else if (kind == 0x80000022 && U32(f, command + 44) != 0) // LC_DYLD_INFO_ONLY: export offset at +40, size at +44
                ReadExportTrie(f, U32(f, command + 40), U32(f, command + 40), "", exports);
            command += size;
        }
        string name = cpu switch { 0x01000007 => "x86-64", 0x0100000C => "arm64", _ => $"mach-o cpu 0x{cpu:X}" };
        return new(ObjectFormat.MachO, name, fileType == 6, exports, imports, undefined, signed);
    }

    /// <summary>Walks a Mach-O export trie: each node has its terminal info size, then edges (label, child offset).</summary>
    private static void ReadExportTrie(byte[] f, long trie, long node, string prefix, HashSet<string> exports)
    {
        long at = node;
        ulong terminalSize = Uleb(f, ref at);
        if (terminalSize != 0) exports.Add(prefix.StartsWith('_') ? prefix[1..] : prefix);
        at += (long)terminalSize;
        int edges = f[at++];
        for (int e = 0; e < edges; e++)
        {
            string label = CString(f, at);
            at += Encoding.UTF8.GetByteCount(label) + 1;
            long child = trie + (long)Uleb(f, ref at);
            ReadExportTrie(f, trie, child, prefix + label, exports);
        }
    }

    private static ulong Uleb(byte[] f, ref long at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = f[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
