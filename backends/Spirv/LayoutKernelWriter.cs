using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Spirv;

/// <summary>
/// Writes the kernels of top-level layout and indexing operations: <c>transpose</c>, <c>slice</c>, <c>pad</c>,
/// <c>concatenate</c>, <c>rev</c>, <c>broadcast_in_dim</c>, <c>reshape</c>/<c>squeeze</c>/<c>expand_dims</c> (copies),
/// <c>dynamic_slice</c>, <c>dynamic_update_slice</c>, <c>gather</c>, <c>scatter</c>, <c>scatter_add</c> and
/// <c>constant</c>s (their bits in the module, up to <see cref="MaxConstantBytes"/>). Each kernel
/// is a grid-strided loop over the elements it writes: the index is unravelled over the written shape (row-major), the
/// source index computed from the coordinates and the element copied. Copies move the storage bits (the dtype's item
/// size, see <see cref="SpirvKernelWriter.Storage"/>) without converting them, so every dtype is copied bit-exactly
/// (NaN payloads included); only <c>scatter_add</c> computes (in the dtype's computation type, rounded or wrapped as
/// the interpreter's sums are). Start indices read on the device (any integer dtype) are saturated to int32, which
/// changes no clamping or bounds test as sizes are below 2^31. Push constants: the element count of the loop, then
/// every symbolic dim of the operation's operands and results. Index arithmetic is uint32: arrays below 2^31 elements.
/// The kernels need no device feature beyond <see cref="SpirvKernelWriter.BaseFeatures"/> and the dtypes' storage
/// features (64-bit index dtypes add <c>shaderInt64</c>).
/// </summary>
internal sealed partial class LayoutKernelWriter : SpirvKernelWriter
{
    /// <summary>Threads per workgroup.</summary>
    public const int LocalSize = 256;

    private readonly Dictionary<string, int> _symbols = new(StringComparer.Ordinal);
    private SpirvId _counter, _inner, _found;

    /// <summary>True for the primitives <see cref="Write"/> lowers.</summary>
    public static bool Lowers(Primitive primitive) => primitive.Name is "transpose" or "slice" or "pad" or "concatenate" or "rev"
        or "broadcast_in_dim" or "reshape" or "squeeze" or "expand_dims" or "dynamic_slice" or "dynamic_update_slice"
        or "gather" or "scatter" or "scatter_add" or "constant";

    /// <summary>The kernels of <paramref name="op"/>, a top-level layout or indexing operation (<see cref="Lowers"/>).</summary>
    public static SpirvStep Write(Operation op)
    {
        foreach (var v in op.Operands.Concat(op.Results)) CheckDType(v.Type.DType);
        var entry = Sanitize(op.Primitive.Name);
        return op.Primitive.Name switch
        {
            "transpose" => One(Transpose(entry, op)),
            "slice" => One(Slice(entry, op)),
            "pad" => One(Pad(entry, op)),
            "concatenate" => Concatenate(entry, op),
            "rev" => One(Rev(entry, op)),
            "broadcast_in_dim" => One(Broadcast(entry, op)),
            "reshape" or "squeeze" or "expand_dims" => One(Copy(entry, op)),
            "dynamic_slice" => One(DynamicSlice(entry, op)),
            "dynamic_update_slice" => DynamicUpdateSlice(entry, op),
            "gather" => One(Gather(entry, op)),
            "scatter" or "scatter_add" => One(Scatter(entry, op)),
            "constant" => One(Constant(entry, op)),
            _ => throw new NotSupportedException($"no SPIR-V lowering for '{op.Primitive.Name}' yet"),
        };
    }

    private static SpirvStep One(VulkanKernel kernel) => new([kernel], []);

    // ---- the kernel frame ----

    /// <summary>
    /// One kernel: <paramref name="build"/> declares the bindings and returns the body, which runs for every index below
    /// <paramref name="count"/> (grid-strided). Push constants: the count, then the symbolic dims of <paramref name="op"/>'s values.
    /// </summary>
    private static VulkanKernel Kernel(string entry, Operation op, SymbolicSize count, Func<LayoutKernelWriter, Action<SpirvId>> build)
    {
        var w = new LayoutKernelWriter();
        var body = build(w);
        var symbols = op.Operands.Concat(op.Results).SelectMany(v => v.Type.Shape.Symbols).Distinct(StringComparer.Ordinal).ToList();
        w.DeclarePushConstants([("count", count), .. symbols.Select(s => (s, SymbolicSize.Of(Dim.Sym(s))))]);
        for (int k = 0; k < symbols.Count; k++) w._symbols[symbols[k]] = k + 1;
        var globalId = w.BuiltInVector(SpirvBuiltIn.GlobalInvocationId, "gl_GlobalInvocationID");
        var groups = w.BuiltInVector(SpirvBuiltIn.NumWorkgroups, "gl_NumWorkGroups");
        w.BeginMain(LocalSize);
        w.GridLoop(globalId, groups, symbols.Count, body);
        return w.Finish(entry, count);
    }

    private void GridLoop(SpirvId globalId, SpirvId groups, int symbolCount, Action<SpirvId> body)
    {
        var m = M;
        var pointer = m.TypePointer(SpirvStorageClass.Function, UInt);
        _counter = m.Emit(SpirvOp.Variable, pointer, (uint)SpirvStorageClass.Function);
        _inner = m.Emit(SpirvOp.Variable, pointer, (uint)SpirvStorageClass.Function);
        _found = m.Emit(SpirvOp.Variable, pointer, (uint)SpirvStorageClass.Function);
        var first = Component(globalId, 0);
        var stride = m.Emit(SpirvOp.IMul, UInt, Component(groups, 0), U(LocalSize));
        var total = PushConstant(0);
        // Every push constant is loaded here, in the entry block, so that any block may use it.
        for (int k = 0; k < symbolCount; k++) PushConstant(k + 1);
        m.Emit(SpirvOp.Store, null, _counter, first);
        CountedLoop(_counter, total, stride, body);
    }

    // ---- index arithmetic ----

    private SpirvId I(int value) => M.ConstantInt32(value);

    private SpirvId Size(Dim dim) => Size(dim, _symbols);

    private SpirvId Add(SpirvId a, SpirvId b) => M.Emit(SpirvOp.IAdd, UInt, a, b);

    private SpirvId Mul(SpirvId a, SpirvId b) => M.Emit(SpirvOp.IMul, UInt, a, b);

    private SpirvId And(SpirvId a, SpirvId b) => M.Emit(SpirvOp.LogicalAnd, Bool, a, b);

    private SpirvId ToInt(SpirvId u) => M.Emit(SpirvOp.Bitcast, Int, u);

    private SpirvId ToUInt(SpirvId s) => M.Emit(SpirvOp.Bitcast, UInt, s);

    private static bool IsUnit(Dim d) => d is { IsStatic: true, Size: 1 };

    /// <summary>The row-major coordinates of <paramref name="flat"/> in <paramref name="shape"/> (static 1s are 0).</summary>
    private SpirvId[] Unravel(Shape shape, SpirvId flat)
    {
        var coordinates = new SpirvId[shape.Rank];
        var rest = flat;
        int outer = Enumerable.Range(0, shape.Rank).FirstOrDefault(d => !IsUnit(shape[d]), -1);
        for (int k = shape.Rank - 1; k >= 0; k--)
        {
            if (IsUnit(shape[k])) { coordinates[k] = Zero; continue; }
            if (k == outer) { coordinates[k] = rest; continue; } // the outermost coordinate is what is left
            var size = Size(shape[k]);
            coordinates[k] = M.Emit(SpirvOp.UMod, UInt, rest, size);
            rest = M.Emit(SpirvOp.UDiv, UInt, rest, size);
        }
        return coordinates;
    }

    /// <summary>The row-major flat index of <paramref name="coordinates"/> in <paramref name="shape"/>.</summary>
    private SpirvId Ravel(Shape shape, IReadOnlyList<SpirvId> coordinates)
    {
        SpirvId? flat = null;
        for (int k = 0; k < shape.Rank; k++)
        {
            if (IsUnit(shape[k])) continue;
            flat = flat is { } f ? Add(Mul(f, Size(shape[k])), coordinates[k]) : coordinates[k];
        }
        return flat ?? Zero;
    }

    /// <summary>The storage bits of element <paramref name="index"/> of a binding, unconverted.</summary>
    private SpirvId LoadRaw(int binding, SpirvId index) => M.Emit(SpirvOp.Load, Storage(BindingDType(binding)), Element(binding, index));

    /// <summary>Stores storage bits at element <paramref name="index"/> of a binding.</summary>
    private void StoreRaw(int binding, SpirvId index, SpirvId bits) => M.Emit(SpirvOp.Store, null, Element(binding, index), bits);

    /// <summary>Copies element <paramref name="from"/> of binding <paramref name="source"/> to element <paramref name="to"/> of <paramref name="target"/>.</summary>
    private void CopyElement(int target, SpirvId to, int source, SpirvId from) => StoreRaw(target, to, LoadRaw(source, from));

    /// <summary>
    /// An integer index of binding <paramref name="binding"/> (any integer dtype) as int32: signed values below -2^31
    /// become -2^31, values above 2^31 - 1 become 2^31 - 1 (no clamp into a range below 2^31 changes by it).
    /// </summary>
    private SpirvId LoadIndex(int binding, SpirvId index)
    {
        var dtype = BindingDType(binding);
        switch (dtype)
        {
            case DType.Int8 or DType.Int16 or DType.Int32:
                return Load(binding, index);
            case DType.UInt8 or DType.UInt16:
                return ToInt(Load(binding, index));
            case DType.UInt32:
                return ToInt(M.Glsl(GlslStd450.UMin, UInt, Load(binding, index), U(int.MaxValue)));
            case DType.Int64:
                {
                    var type = Compute(dtype);
                    var clamped = M.Glsl(GlslStd450.SClamp, type, Load(binding, index),
                        M.Constant64(type, unchecked((ulong)(long)int.MinValue)), M.Constant64(type, int.MaxValue));
                    return M.Emit(SpirvOp.SConvert, Int, clamped);
                }
            case DType.UInt64:
                {
                    var type = Compute(dtype);
                    var clamped = M.Glsl(GlslStd450.UMin, type, Load(binding, index), M.Constant64(type, int.MaxValue));
                    return ToInt(M.Emit(SpirvOp.UConvert, UInt, clamped));
                }
            default:
                throw new NotSupportedException($"no SPIR-V lowering for start indices of dtype {dtype.ToString().ToLowerInvariant()}");
        }
    }

    /// <summary>The largest start of a window of <paramref name="window"/> elements along an axis of <paramref name="size"/>, as int32.</summary>
    private SpirvId LastStart(Dim size, SpirvId window) => M.Emit(SpirvOp.ISub, Int, ToInt(Size(size)), ToInt(window));

    /// <summary><paramref name="start"/> (int32) clamped into [0, <paramref name="last"/>], as uint32.</summary>
    private SpirvId Clamp(SpirvId start, SpirvId last) =>
        ToUInt(M.Glsl(GlslStd450.SMax, Int, M.Glsl(GlslStd450.SMin, Int, start, last), I(0)));

    /// <summary>0 ≤ <paramref name="start"/> ≤ <paramref name="last"/> (int32).</summary>
    private SpirvId InRange(SpirvId start, SpirvId last) =>
        And(M.Emit(SpirvOp.SGreaterThanEqual, Bool, start, I(0)), M.Emit(SpirvOp.SLessThanEqual, Bool, start, last));

    /// <summary>The storage bits of <paramref name="dtype"/>'s value held in <paramref name="bytes"/> (its item size).</summary>
    private SpirvId StorageConstant(DType dtype, ReadOnlySpan<byte> bytes)
    {
        var storage = Storage(dtype);
        switch (dtype.ItemSize())
        {
            case 1 or 2:
                {
                    uint bits = dtype.ItemSize() == 1 ? bytes[0] : BitConverter.ToUInt16(bytes);
                    bool signed = dtype is DType.Int8 or DType.Int16;
                    return signed
                        ? M.Emit(SpirvOp.SConvert, storage, I(dtype == DType.Int8 ? (sbyte)bits : (short)bits))
                        : M.Emit(SpirvOp.UConvert, storage, U(bits));
                }
            case 4:
                return M.Constant(storage, BitConverter.ToUInt32(bytes));
            default:
                return M.Constant64(storage, BitConverter.ToUInt64(bytes));
        }
    }

    /// <summary>The largest constant (in bytes) whose elements are written into a kernel; a larger one is a host step.</summary>
    public const int MaxConstantBytes = 1 << 16;

    /// <summary>
    /// constant: one value everywhere when all elements are equal, else the elements' bits in a private array of uint32
    /// words in the module, each element extracted from its word(s).
    /// </summary>
    private static VulkanKernel Constant(string entry, Operation op)
    {
        var value = op.Attributes.Buffer("value");
        var dtype = value.DType;
        int size = dtype.ItemSize();
        var bytes = value.Bytes.ToArray();
        bool uniform = Enumerable.Range(1, Math.Max(0, bytes.Length / size - 1)).All(k => bytes.AsSpan(k * size, size).SequenceEqual(bytes.AsSpan(0, size)));
        if (!uniform && bytes.Length > MaxConstantBytes)
            throw new NotSupportedException($"no SPIR-V lowering for a constant of {bytes.Length} bytes (over {MaxConstantBytes}): the host uploads it");
        return Kernel(entry, op, Count(op.Results[0]), w =>
        {
            int o = w.Bind(VulkanBinding.Output, 0, dtype, "out");
            if (uniform)
            {
                if (bytes.Length == 0) return _ => { };
                return i => w.StoreRaw(o, i, w.StorageConstant(dtype, bytes.AsSpan(0, size)));
            }
            var words = new uint[(bytes.Length + 3) / 4];
            System.Buffer.BlockCopy(bytes, 0, words, 0, bytes.Length);
            var m = w.M;
            var array = m.TypeArray(w.UInt, w.U((uint)words.Length));
            var initializer = m.ConstantComposite(array, [.. words.Select(w.U)]);
            var table = m.GlobalVariable(m.TypePointer(SpirvStorageClass.Private, array), SpirvStorageClass.Private, initializer);
            m.Name(table, "elements");
            SpirvId Word(SpirvId index) =>
                m.Emit(SpirvOp.Load, w.UInt, m.Emit(SpirvOp.AccessChain, m.TypePointer(SpirvStorageClass.Private, w.UInt), table, index));
            var storage = w.Storage(dtype);
            return i =>
            {
                SpirvId bits;
                switch (size)
                {
                    case 4:
                        var word = Word(i);
                        bits = storage == w.UInt ? word : m.Emit(SpirvOp.Bitcast, storage, word);
                        break;
                    case 8:
                        var first = w.Mul(i, w.U(2));
                        var pair = m.Emit(SpirvOp.CompositeConstruct, m.TypeVector(w.UInt, 2), Word(first), Word(w.Add(first, w.U(1))));
                        bits = m.Emit(SpirvOp.Bitcast, storage, pair);
                        break;
                    default:
                        // 1 or 2 bytes: the element's bits shifted down from its word, sign- or zero-extended, then narrowed.
                        uint perWord = (uint)(4 / size), width = (uint)(8 * size);
                        var shift = w.Mul(m.Emit(SpirvOp.UMod, w.UInt, i, w.U(perWord)), w.U(width));
                        var up = m.Emit(SpirvOp.ShiftLeftLogical, w.UInt, Word(m.Emit(SpirvOp.UDiv, w.UInt, i, w.U(perWord))), m.Emit(SpirvOp.ISub, w.UInt, w.U(32 - width), shift));
                        bits = dtype is DType.Int8 or DType.Int16
                            ? m.Emit(SpirvOp.SConvert, storage, m.Emit(SpirvOp.ShiftRightArithmetic, w.Int, w.ToInt(up), w.U(32 - width)))
                            : m.Emit(SpirvOp.UConvert, storage, m.Emit(SpirvOp.ShiftRightLogical, w.UInt, up, w.U(32 - width)));
                        break;
                }
                w.StoreRaw(o, i, bits);
            };
        });
    }

    private static SymbolicSize Count(Value v) => SymbolicSize.ElementCount(v.Type.Shape);

    private static DType DTypeOf(Operation op) => op.Results[0].Type.DType;

    // ---- copies ----

    /// <summary>reshape, squeeze, expand_dims: the same row-major elements.</summary>
    private static VulkanKernel Copy(string entry, Operation op) => Kernel(entry, op, Count(op.Results[0]), w =>
    {
        int x = w.Bind(VulkanBinding.Input, 0, DTypeOf(op), "x");
        int o = w.Bind(VulkanBinding.Output, 0, DTypeOf(op), "out");
        return i => w.CopyElement(o, i, x, i);
    });

    /// <summary>transpose: result axis k is x's axis permutation[k].</summary>
    private static VulkanKernel Transpose(string entry, Operation op) => Kernel(entry, op, Count(op.Results[0]), w =>
    {
        int x = w.Bind(VulkanBinding.Input, 0, DTypeOf(op), "x");
        int o = w.Bind(VulkanBinding.Output, 0, DTypeOf(op), "out");
        var perm = op.Attributes.IntArray("permutation");
        return i =>
        {
            var c = w.Unravel(op.Results[0].Type.Shape, i);
            var source = new SpirvId[perm.Length];
            for (int k = 0; k < perm.Length; k++) source[perm[k]] = c[k];
            w.CopyElement(o, i, x, w.Ravel(op.Operands[0].Type.Shape, source));
        };
    });

    /// <summary>rev: reversed axes read at size - 1 - coordinate.</summary>
    private static VulkanKernel Rev(string entry, Operation op) => Kernel(entry, op, Count(op.Results[0]), w =>
    {
        int x = w.Bind(VulkanBinding.Input, 0, DTypeOf(op), "x");
        int o = w.Bind(VulkanBinding.Output, 0, DTypeOf(op), "out");
        var dims = op.Attributes.IntArray("dimensions");
        var shape = op.Results[0].Type.Shape;
        return i =>
        {
            var c = w.Unravel(shape, i);
            foreach (int d in dims.Distinct())
                if (!IsUnit(shape[d])) c[d] = w.M.Emit(SpirvOp.ISub, w.UInt, w.M.Emit(SpirvOp.ISub, w.UInt, w.Size(shape[d]), w.U(1)), c[d]);
            w.CopyElement(o, i, x, w.Ravel(shape, c));
        };
    });

    /// <summary>slice: x's coordinate is start + stride · the result's.</summary>
    private static VulkanKernel Slice(string entry, Operation op) => Kernel(entry, op, Count(op.Results[0]), w =>
    {
        int x = w.Bind(VulkanBinding.Input, 0, DTypeOf(op), "x");
        int o = w.Bind(VulkanBinding.Output, 0, DTypeOf(op), "out");
        var start = op.Attributes.Ints("start_indices");
        var strides = op.Attributes.ContainsKey("strides") ? op.Attributes.Ints("strides") : [.. Enumerable.Repeat(1L, start.Length)];
        return i =>
        {
            var c = w.Unravel(op.Results[0].Type.Shape, i);
            for (int d = 0; d < c.Length; d++)
            {
                if (strides[d] != 1) c[d] = w.Mul(c[d], w.U(checked((uint)strides[d])));
                if (start[d] != 0) c[d] = w.Add(c[d], w.U(checked((uint)start[d])));
            }
            w.CopyElement(o, i, x, w.Ravel(op.Operands[0].Type.Shape, c));
        };
    });

    /// <summary>broadcast_in_dim: x's axis j reads the result's axis broadcast_dimensions[j] (0 where x's size is 1).</summary>
    private static VulkanKernel Broadcast(string entry, Operation op) => Kernel(entry, op, Count(op.Results[0]), w =>
    {
        int x = w.Bind(VulkanBinding.Input, 0, DTypeOf(op), "x");
        int o = w.Bind(VulkanBinding.Output, 0, DTypeOf(op), "out");
        var map = op.Attributes.IntArray("broadcast_dimensions");
        var xShape = op.Operands[0].Type.Shape;
        return i =>
        {
            var c = w.Unravel(op.Results[0].Type.Shape, i);
            var source = new SpirvId[xShape.Rank];
            for (int j = 0; j < source.Length; j++) source[j] = IsUnit(xShape[j]) ? w.Zero : c[map[j]];
            w.CopyElement(o, i, x, w.Ravel(xShape, source));
        };
    });

    /// <summary>
    /// pad: the result's coordinate c along an axis holds x's element (c - low) / (interior + 1) where c - low is a
    /// non-negative multiple of interior + 1 below x's extent, the padding value elsewhere.
    /// </summary>
    private static VulkanKernel Pad(string entry, Operation op) => Kernel(entry, op, Count(op.Results[0]), w =>
    {
        var dtype = DTypeOf(op);
        int x = w.Bind(VulkanBinding.Input, 0, dtype, "x");
        int value = w.Bind(VulkanBinding.Input, 1, dtype, "padding_value");
        int o = w.Bind(VulkanBinding.Output, 0, dtype, "out");
        var (low, high, interior) = (op.Attributes.Ints("low"), op.Attributes.Ints("high"), op.Attributes.Ints("interior"));
        var xShape = op.Operands[0].Type.Shape;
        return i =>
        {
            var c = w.Unravel(op.Results[0].Type.Shape, i);
            SpirvId? inside = null;
            for (int d = 0; d < c.Length; d++)
            {
                if (low[d] == 0 && high[d] == 0 && interior[d] == 0) continue;
                var t = w.M.Emit(SpirvOp.ISub, w.Int, w.ToInt(c[d]), w.I(checked((int)low[d])));
                var tu = w.ToUInt(t);
                var step = w.U(checked((uint)(interior[d] + 1)));
                var q = interior[d] == 0 ? tu : w.M.Emit(SpirvOp.UDiv, w.UInt, tu, step);
                var ok = w.And(w.M.Emit(SpirvOp.SGreaterThanEqual, w.Bool, t, w.I(0)), w.M.Emit(SpirvOp.ULessThan, w.Bool, q, w.Size(xShape[d])));
                if (interior[d] != 0) ok = w.And(ok, w.M.Emit(SpirvOp.IEqual, w.Bool, w.M.Emit(SpirvOp.UMod, w.UInt, tu, step), w.Zero));
                inside = inside is { } a ? w.And(a, ok) : ok;
                c[d] = q;
            }
            if (inside is not { } condition)
            {
                w.CopyElement(o, i, x, w.Ravel(xShape, c));
                return;
            }
            w.If(condition, () => w.CopyElement(o, i, x, w.Ravel(xShape, c)), () => w.CopyElement(o, i, value, w.Zero));
        };
    });

    /// <summary>concatenate: one kernel per operand, over its elements, writing them at their offset along the joined axis.</summary>
    private static SpirvStep Concatenate(string entry, Operation op)
    {
        int axis = (int)op.Attributes.Int("dimension");
        var kernels = new List<VulkanKernel>();
        long offset = 0;
        var outShape = op.Results[0].Type.Shape;
        for (int k = 0; k < op.Operands.Count; k++)
        {
            var shape = op.Operands[k].Type.Shape;
            long at = offset;
            int index = k;
            kernels.Add(Kernel($"{entry}_{k}", op, Count(op.Operands[k]), w =>
            {
                int x = w.Bind(VulkanBinding.Input, index, DTypeOf(op), $"x{index}");
                int o = w.Bind(VulkanBinding.Output, 0, DTypeOf(op), "out");
                return i =>
                {
                    var c = w.Unravel(shape, i);
                    if (at != 0) c[axis] = w.Add(c[axis], w.U(checked((uint)at)));
                    w.CopyElement(o, w.Ravel(outShape, c), x, i);
                };
            }));
            if (op.Operands.Count > 1) offset += shape[axis].Size;
        }
        return new SpirvStep(kernels, []);
    }

    /// <summary>dynamic_slice: the result's coordinates plus the starts, each clamped into [0, size - slice size].</summary>
    private static VulkanKernel DynamicSlice(string entry, Operation op) => Kernel(entry, op, Count(op.Results[0]), w =>
    {
        int x = w.Bind(VulkanBinding.Input, 0, DTypeOf(op), "x");
        var starts = Enumerable.Range(1, op.Operands.Count - 1).Select(k => w.Bind(VulkanBinding.Input, k, op.Operands[k].Type.DType, $"start{k - 1}")).ToArray();
        int o = w.Bind(VulkanBinding.Output, 0, DTypeOf(op), "out");
        var (xShape, shape) = (op.Operands[0].Type.Shape, op.Results[0].Type.Shape);
        return i =>
        {
            var c = w.Unravel(shape, i);
            for (int d = 0; d < c.Length; d++)
            {
                if (xShape[d] == shape[d]) continue; // the whole axis: the start clamps to 0
                var start = w.Clamp(w.LoadIndex(starts[d], w.Zero), w.LastStart(xShape[d], w.Size(shape[d])));
                c[d] = w.Add(c[d], start);
            }
            w.CopyElement(o, i, x, w.Ravel(xShape, c));
        };
    });

    /// <summary>dynamic_update_slice: x copied, then the update written at the clamped starts (two kernels).</summary>
    private static SpirvStep DynamicUpdateSlice(string entry, Operation op)
    {
        var dtype = DTypeOf(op);
        var copy = Kernel($"{entry}_copy", op, Count(op.Results[0]), w =>
        {
            int x = w.Bind(VulkanBinding.Input, 0, dtype, "x");
            int o = w.Bind(VulkanBinding.Output, 0, dtype, "out");
            return i => w.CopyElement(o, i, x, i);
        });
        var update = Kernel($"{entry}_update", op, Count(op.Operands[1]), w =>
        {
            int u = w.Bind(VulkanBinding.Input, 1, dtype, "update");
            var starts = Enumerable.Range(2, op.Operands.Count - 2).Select(k => w.Bind(VulkanBinding.Input, k, op.Operands[k].Type.DType, $"start{k - 2}")).ToArray();
            int o = w.Bind(VulkanBinding.Output, 0, dtype, "out");
            var (xShape, shape) = (op.Operands[0].Type.Shape, op.Operands[1].Type.Shape);
            return i =>
            {
                var c = w.Unravel(shape, i);
                for (int d = 0; d < c.Length; d++)
                {
                    if (xShape[d] == shape[d]) continue;
                    var start = w.Clamp(w.LoadIndex(starts[d], w.Zero), w.LastStart(xShape[d], w.Size(shape[d])));
                    c[d] = w.Add(c[d], start);
                }
                w.CopyElement(o, w.Ravel(xShape, c), u, i);
            };
        });
        return new SpirvStep([copy, update], []);
    }
}
