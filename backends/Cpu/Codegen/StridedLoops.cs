using JaxToolchain.Backends.Llvm;
using JaxToolchain.Ir;

namespace JaxToolchain.Backends.Cpu.Codegen;

/// <summary>
/// An i64 index quantity of a kernel (a size, a stride, an offset): its LLVM value and, when it is known while the
/// kernel is generated, that value, so that loop nests can be simplified (size-1 dims dropped, contiguous dims merged).
/// </summary>
/// <param name="Value">The i64 value.</param>
/// <param name="Known">The value when it is a compile-time constant.</param>
internal readonly record struct IndexValue(LLVMValueRef Value, long? Known)
{
    /// <summary>True when the value is the constant <paramref name="value"/>.</summary>
    public bool Is(long value) => Known == value;
}

/// <summary>Index arithmetic on <see cref="IndexValue"/>s in a scope, folding what is known.</summary>
internal static class IndexMath
{
    /// <summary>A constant.</summary>
    public static IndexValue Constant(this KernelScope scope, long value) => new(scope.M.Int64(value), value);

    /// <summary>The size of a dimension (a constant, or its symbol's size).</summary>
    public static IndexValue SizeOf(this KernelScope scope, Dim dim) => dim.IsStatic ? scope.Constant(dim.Size) : new(scope.Size(dim), null);

    /// <summary>The sizes of a shape's dimensions.</summary>
    public static IndexValue[] SizesOf(this KernelScope scope, Shape shape) => shape.Select(scope.SizeOf).ToArray();

    /// <summary>a + b.</summary>
    public static IndexValue Plus(this KernelScope scope, IndexValue a, IndexValue b) =>
        a.Known is long x && b.Known is long y ? scope.Constant(x + y)
        : a.Is(0) ? b
        : b.Is(0) ? a
        : new(scope.Add(a.Value, b.Value), null);

    /// <summary>a - b.</summary>
    public static IndexValue Minus(this KernelScope scope, IndexValue a, IndexValue b) =>
        a.Known is long x && b.Known is long y ? scope.Constant(x - y)
        : b.Is(0) ? a
        : new(scope.Sub(a.Value, b.Value), null);

    /// <summary>a · b.</summary>
    public static IndexValue Times(this KernelScope scope, IndexValue a, IndexValue b) =>
        a.Known is long x && b.Known is long y ? scope.Constant(x * y)
        : a.Is(0) || b.Is(0) ? scope.Constant(0)
        : a.Is(1) ? b
        : b.Is(1) ? a
        : new(scope.Mul(a.Value, b.Value), null);

    /// <summary>The product of <paramref name="values"/> (1 for none).</summary>
    public static IndexValue Product(this KernelScope scope, IEnumerable<IndexValue> values) =>
        values.Aggregate(scope.Constant(1), scope.Times);

    /// <summary>Σ a_k · b_k over two equally long lists.</summary>
    public static IndexValue Dot(this KernelScope scope, IReadOnlyList<IndexValue> a, IReadOnlyList<IndexValue> b)
    {
        var sum = scope.Constant(0);
        for (int k = 0; k < a.Count; k++) sum = scope.Plus(sum, scope.Times(a[k], b[k]));
        return sum;
    }

    /// <summary>Row-major strides (in elements) of dims of <paramref name="sizes"/>.</summary>
    public static IndexValue[] RowMajorStrides(this KernelScope scope, IReadOnlyList<IndexValue> sizes)
    {
        var strides = new IndexValue[sizes.Count];
        var stride = scope.Constant(1);
        for (int d = sizes.Count - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride = scope.Times(stride, sizes[d]);
        }
        return strides;
    }

    /// <summary>max(lower, min(value, upper)) on signed i64: a start clamped into [lower, upper] (lower wins when upper &lt; lower).</summary>
    public static LLVMValueRef Clamp(this KernelScope scope, LLVMValueRef value, LLVMValueRef lower, LLVMValueRef upper)
    {
        var below = scope.Min(value, upper);
        return LlvmCore.BuildSelect(scope.B, LlvmCore.BuildICmp(scope.B, LLVMIntPredicate.SLT, below, lower, ""), lower, below, "");
    }

    /// <summary>Wraps a plain i64 value whose value is not known.</summary>
    public static IndexValue Unknown(LLVMValueRef value) => new(value, null);
}

/// <summary>
/// Loops over a row-major index domain (the elements of a result, or of an operand a map reads), one contiguous range
/// [start, end) of flat positions at a time (a parallel chunk). The domain is walked row by row: the multi-index of
/// the range's first element is unravelled once (divisions), the next rows' by an odometer (no divisions), and each
/// row (or the part of it inside the range) is handed to the caller, who emits its inner loop over the last dimension;
/// that loop is straight-line code over consecutive positions, which LLVM vectorizes.
/// </summary>
internal static class RowWalk
{
    /// <summary>
    /// Emits the rows of the domain of <paramref name="sizes"/> (a rank-0 domain is one element) within flat range
    /// [<paramref name="start"/>, <paramref name="end"/>): <paramref name="row"/> gets the multi-index of the row's first
    /// element (its last entry the first column), the number of elements in the row, and the flat position of the first.
    /// </summary>
    public static void Emit(KernelScope scope, IReadOnlyList<IndexValue> sizes, LLVMValueRef start, LLVMValueRef end,
        Action<LLVMValueRef[], LLVMValueRef, LLVMValueRef> row)
    {
        var dims = sizes.Count == 0 ? [scope.Constant(1)] : sizes.ToArray();
        int rank = dims.Length;
        var b = scope.B;
        var m = scope.M;
        var slots = EntryAlloca(scope, LlvmCore.ArrayType2(m.I64, (ulong)rank));
        LLVMValueRef Slot(int k) => b.InBoundsGep(m.I64, slots, [m.Int64(k)]);

        var setup = scope.NewBlock("rows.setup");
        var loop = scope.NewBlock("rows.loop");
        var exit = scope.NewBlock("rows.exit");
        LlvmCore.BuildCondBr(b, LlvmCore.BuildICmp(b, LLVMIntPredicate.SLT, start, end, ""), setup, exit);

        // The first row's multi-index: divisions once per range (sizes are non-zero once the range is not empty).
        b.PositionAtEnd(setup);
        var rest = start;
        for (int k = rank - 1; k >= 0; k--)
        {
            LLVMValueRef coordinate;
            if (dims[k].Is(1)) coordinate = m.Int64(0);
            else if (k == 0) coordinate = rest;
            else
            {
                coordinate = scope.URem(rest, dims[k].Value);
                rest = scope.UDiv(rest, dims[k].Value);
            }
            b.Store(coordinate, Slot(k), 8);
        }
        LlvmCore.BuildBr(b, loop);

        b.PositionAtEnd(loop);
        var flat = b.Phi(m.I64, [(start, setup)], "row");
        var index = new LLVMValueRef[rank];
        for (int k = 0; k < rank; k++) index[k] = b.Load(m.I64, Slot(k), 8);
        var length = scope.Min(scope.Sub(dims[rank - 1].Value, index[rank - 1]), scope.Sub(end, flat));
        row(index, length, flat);

        // Next row: column 0, the outer coordinates advanced like an odometer.
        var next = scope.Add(flat, length);
        b.Store(m.Int64(0), Slot(rank - 1), 8);
        var carry = LlvmCore.ConstInt(m.I1, 1, false);
        for (int k = rank - 2; k >= 0; k--)
        {
            var advanced = scope.Add(index[k], LlvmCore.BuildCast(b, LLVMOpcode.ZExt, carry, m.I64, ""));
            var wraps = LlvmCore.BuildICmp(b, LLVMIntPredicate.EQ, advanced, dims[k].Value, "");
            b.Store(LlvmCore.BuildSelect(b, wraps, m.Int64(0), advanced, ""), Slot(k), 8);
            carry = b.BinaryOperation(LLVMOpcode.And, carry, wraps);
        }
        LlvmBuilder.AddIncoming(flat, next, b.InsertBlock);
        LlvmCore.BuildCondBr(b, LlvmCore.BuildICmp(b, LLVMIntPredicate.SLT, next, end, ""), loop, exit);
        b.PositionAtEnd(exit);
    }

    /// <summary>An alloca in the entry block of the scope's function (promoted to registers by LLVM).</summary>
    private static LLVMValueRef EntryAlloca(KernelScope scope, LLVMTypeRef type) => EntryAllocas.Build(scope.B, scope.Function, type);
}

/// <summary>Stack slots in a function's entry block (so that loops do not grow the stack; LLVM promotes them to registers).</summary>
internal static class EntryAllocas
{
    /// <summary>An alloca of <paramref name="type"/> at the start of <paramref name="function"/>'s entry block; the builder stays where it was.</summary>
    public static LLVMValueRef Build(LlvmBuilder b, LLVMValueRef function, LLVMTypeRef type)
    {
        var current = b.InsertBlock;
        var entry = LlvmCore.GetEntryBasicBlock(function);
        var first = LlvmCore.GetFirstInstruction(entry);
        if (first.Handle != 0) LlvmCore.PositionBuilderBefore(b, first);
        else b.PositionAtEnd(entry);
        var slot = LlvmCore.BuildAlloca(b, type, "");
        b.PositionAtEnd(current);
        return slot;
    }
}

/// <summary>
/// A strided element map (the compiled form of the interpreter's <c>StridedCopy</c>): for every multi-index i over
/// <see cref="Sizes"/>, destination element <c>destinationOffset + Σ i_k·destinationStrides_k</c> receives source
/// element <c>sourceOffset + Σ i_k·sourceStrides_k</c>. Transpose, broadcast (stride 0), rev (negative strides),
/// slices, pads, concatenations and dynamic windows are such maps. Known size-1 dimensions are dropped and adjacent
/// dimensions contiguous in both arrays merged, so the inner loop runs as long as possible.
/// </summary>
internal sealed class StridedMap
{
    /// <summary>Plans the map (the values belong to the scope it is emitted in).</summary>
    public StridedMap(KernelScope scope, IReadOnlyList<IndexValue> sizes, IReadOnlyList<IndexValue> sourceStrides,
        IReadOnlyList<IndexValue> destinationStrides, IndexValue sourceOffset, IndexValue destinationOffset)
    {
        var dims = new List<(IndexValue Size, IndexValue Source, IndexValue Destination)>();
        for (int k = 0; k < sizes.Count; k++)
        {
            if (sizes[k].Is(1)) continue;
            if (dims.Count > 0 && Contiguous(dims[^1], (sizes[k], sourceStrides[k], destinationStrides[k])))
            {
                // The previous dim runs over whole rows of this one: one dim of both sizes.
                dims[^1] = (scope.Times(dims[^1].Size, sizes[k]), sourceStrides[k], destinationStrides[k]);
                continue;
            }
            dims.Add((sizes[k], sourceStrides[k], destinationStrides[k]));
        }
        Sizes = dims.Select(d => d.Size).ToArray();
        SourceStrides = dims.Select(d => d.Source).ToArray();
        DestinationStrides = dims.Select(d => d.Destination).ToArray();
        SourceOffset = sourceOffset;
        DestinationOffset = destinationOffset;
        var rowMajor = scope.RowMajorStrides(Sizes);
        DestinationIsFlat = destinationOffset.Is(0) && DestinationStrides.Zip(rowMajor).All(p => p.First.Known is long s && s == p.Second.Known);
    }

    /// <summary>
    /// The dim a transposing map should be tiled on: when the innermost dim reads the source with a stride other than
    /// 1 and another dim (of at least <see cref="Tile"/> elements, like the innermost) reads it contiguously, walking
    /// rows would touch one source cache line per element; tiles of both dims reuse them. Null otherwise.
    /// </summary>
    public int? TileDim
    {
        get
        {
            int last = Sizes.Length - 1;
            if (last < 1 || SourceStrides[last].Is(1) || Small(Sizes[last])) return null;
            for (int k = last - 1; k >= 0; k--)
                if (SourceStrides[k].Is(1) && !Small(Sizes[k])) return k;
            return null;
        }
    }

    /// <summary>The side of a transposing tile.</summary>
    public const long Tile = 32;

    private static bool Small(IndexValue size) => size.Known is long n && n < Tile;

    /// <summary>
    /// The number of units of a tiled walk (see <see cref="EmitTiled"/>): every position of the other dims times
    /// every strip of <see cref="Tile"/> entries of the tile dim.
    /// </summary>
    public IndexValue TiledUnits(KernelScope scope, int tileDim)
    {
        var strips = Ceiling(scope, Sizes[tileDim]);
        return scope.Times(scope.Product(Sizes.Where((_, d) => d != tileDim && d != Sizes.Length - 1)), strips);
    }

    private static IndexValue Ceiling(KernelScope scope, IndexValue size) =>
        size.Known is long n ? scope.Constant((n + Tile - 1) / Tile) : IndexMath.Unknown(scope.UDiv(scope.Add(size.Value, scope.M.Int64(Tile - 1)), scope.M.Int64(Tile)));

    /// <summary>
    /// Emits units [start, end) of the tiled walk: each unit is one strip of the tile dim at one position of the other
    /// outer dims, walked in tiles of <see cref="Tile"/> × <see cref="Tile"/> elements with the innermost dim
    /// innermost; <paramref name="element"/> gets the source and destination positions.
    /// </summary>
    public void EmitTiled(KernelScope scope, int tileDim, LLVMValueRef start, LLVMValueRef end, Action<LLVMValueRef, LLVMValueRef> element)
    {
        int last = Sizes.Length - 1;
        var outer = Enumerable.Range(0, last).Where(d => d != tileDim).ToArray();
        var strips = Ceiling(scope, Sizes[tileDim]);
        var blocks = Ceiling(scope, Sizes[last]);
        var tile = scope.M.Int64(Tile);
        scope.For(start, end, unit =>
        {
            var rest = strips.Is(1) ? unit : scope.UDiv(unit, strips.Value);
            var strip = strips.Is(1) ? scope.M.Int64(0) : scope.URem(unit, strips.Value);
            var source = SourceOffset;
            var destination = DestinationOffset;
            for (int j = outer.Length - 1; j >= 0; j--)
            {
                int d = outer[j];
                var coordinate = j == 0 ? rest : scope.URem(rest, Sizes[d].Value);
                if (j > 0) rest = scope.UDiv(rest, Sizes[d].Value);
                source = scope.Plus(source, scope.Times(IndexMath.Unknown(coordinate), SourceStrides[d]));
                destination = scope.Plus(destination, scope.Times(IndexMath.Unknown(coordinate), DestinationStrides[d]));
            }
            var a0 = scope.Mul(strip, tile);
            var a1 = scope.Min(scope.Add(a0, tile), Sizes[tileDim].Value);
            scope.For(scope.M.Int64(0), blocks.Value, block =>
            {
                var b0 = scope.Mul(block, tile);
                var b1 = scope.Min(scope.Add(b0, tile), Sizes[last].Value);
                scope.For(a0, a1, a =>
                {
                    var rowSource = scope.Plus(source, scope.Times(IndexMath.Unknown(a), SourceStrides[tileDim]));
                    var rowDestination = scope.Plus(destination, scope.Times(IndexMath.Unknown(a), DestinationStrides[tileDim]));
                    scope.For(b0, b1, b =>
                    {
                        var column = IndexMath.Unknown(b);
                        element(scope.Plus(rowSource, scope.Times(column, SourceStrides[last])).Value,
                            scope.Plus(rowDestination, scope.Times(column, DestinationStrides[last])).Value);
                    }, "column");
                }, "row");
            }, "block");
        }, "strip");
    }

    /// <summary>A map whose destination is a dense array of the domain's shape (a loop over a result).</summary>
    public static StridedMap IntoDense(KernelScope scope, IReadOnlyList<IndexValue> sizes, IReadOnlyList<IndexValue> sourceStrides, IndexValue sourceOffset) =>
        new(scope, sizes, sourceStrides, scope.RowMajorStrides(sizes), sourceOffset, scope.Constant(0));

    /// <summary>A map whose source is a dense array of the domain's shape (an operand written into a window).</summary>
    public static StridedMap FromDense(KernelScope scope, IReadOnlyList<IndexValue> sizes, IReadOnlyList<IndexValue> destinationStrides, IndexValue destinationOffset) =>
        new(scope, sizes, scope.RowMajorStrides(sizes), destinationStrides, scope.Constant(0), destinationOffset);

    /// <summary>The domain's sizes (after simplification).</summary>
    public IndexValue[] Sizes { get; }

    /// <summary>The source strides per dim, in elements.</summary>
    public IndexValue[] SourceStrides { get; }

    /// <summary>The destination strides per dim, in elements.</summary>
    public IndexValue[] DestinationStrides { get; }

    /// <summary>The source element of the domain's first element.</summary>
    public IndexValue SourceOffset { get; }

    /// <summary>The destination element of the domain's first element.</summary>
    public IndexValue DestinationOffset { get; }

    /// <summary>True when the destination position is the flat position in the domain (a dense destination).</summary>
    public bool DestinationIsFlat { get; }

    /// <summary>The number of elements the map moves.</summary>
    public IndexValue ElementCount(KernelScope scope) => scope.Product(Sizes);

    private static bool Contiguous((IndexValue Size, IndexValue Source, IndexValue Destination) outer, (IndexValue Size, IndexValue Source, IndexValue Destination) inner) =>
        inner.Size.Known is long n && outer.Source.Known is long so && inner.Source.Known is long si && outer.Destination.Known is long d0
        && inner.Destination.Known is long di && so == si * n && d0 == di * n;

    /// <summary>
    /// Emits the map over flat domain positions [<paramref name="start"/>, <paramref name="end"/>):
    /// <paramref name="element"/> gets each element's source and destination positions (in elements).
    /// </summary>
    public void Emit(KernelScope scope, LLVMValueRef start, LLVMValueRef end, Action<LLVMValueRef, LLVMValueRef> element)
    {
        RowWalk.Emit(scope, Sizes, start, end, (index, length, flat) =>
        {
            var coordinates = Sizes.Length == 0 ? [] : index.Select(IndexMath.Unknown).ToArray();
            var source = scope.Plus(SourceOffset, scope.Dot(coordinates, SourceStrides));
            var destination = DestinationIsFlat ? IndexMath.Unknown(flat) : scope.Plus(DestinationOffset, scope.Dot(coordinates, DestinationStrides));
            if (Sizes.Length == 0)
            {
                element(source.Value, destination.Value);
                return;
            }
            var (sourceStep, destinationStep) = (SourceStrides[^1], DestinationStrides[^1]);
            scope.For(scope.M.Int64(0), length, t =>
            {
                var position = IndexMath.Unknown(t);
                element(scope.Plus(source, scope.Times(position, sourceStep)).Value,
                    scope.Plus(destination, scope.Times(position, destinationStep)).Value);
            }, "column");
        });
    }

    /// <summary>Copies elements of <paramref name="dtype"/> (their bits) along the map over flat positions [start, end).</summary>
    public void Copy(KernelScope scope, DType dtype, LLVMValueRef source, LLVMValueRef destination, LLVMValueRef start, LLVMValueRef end) =>
        Emit(scope, start, end, (from, to) => ElementBits.Move(scope, dtype, source, from, destination, to));
}

/// <summary>
/// Elements moved as their bits (an integer of the element's width): a copy never converts, so float16/bfloat16 NaN
/// payloads, signed zeros and bool bytes arrive as they were, as the interpreter's byte copies do.
/// </summary>
internal static class ElementBits
{
    /// <summary>The integer type of a dtype's width.</summary>
    public static LLVMTypeRef Type(KernelModule m, DType dtype) => LlvmCore.IntTypeInContext(m.Context, (uint)(8 * dtype.ItemSize()));

    /// <summary>Loads the bits of element <paramref name="index"/>.</summary>
    public static LLVMValueRef Load(KernelScope scope, DType dtype, LLVMValueRef pointer, LLVMValueRef index)
    {
        var type = Type(scope.M, dtype);
        return scope.B.Load(type, scope.B.InBoundsGep(type, pointer, [index]), ElementTypes.Alignment(dtype));
    }

    /// <summary>Stores bits at element <paramref name="index"/>.</summary>
    public static void Store(KernelScope scope, DType dtype, LLVMValueRef bits, LLVMValueRef pointer, LLVMValueRef index)
    {
        var type = Type(scope.M, dtype);
        scope.B.Store(bits, scope.B.InBoundsGep(type, pointer, [index]), ElementTypes.Alignment(dtype));
    }

    /// <summary>destination[to] = source[from].</summary>
    public static void Move(KernelScope scope, DType dtype, LLVMValueRef source, LLVMValueRef from, LLVMValueRef destination, LLVMValueRef to) =>
        Store(scope, dtype, Load(scope, dtype, source, from), destination, to);

    /// <summary>The bits of the scalar <paramref name="value"/> of <paramref name="dtype"/> (converted as the interpreter stores it) as a constant.</summary>
    public static LLVMValueRef Constant(KernelModule m, DType dtype, double value)
    {
        using var scalar = Ir.Buffer.ScalarOf(dtype, value);
        var bytes = scalar.Bytes;
        ulong bits = 0;
        for (int i = bytes.Length - 1; i >= 0; i--) bits = (bits << 8) | bytes[i];
        return LlvmCore.ConstInt(Type(m, dtype), bits, false);
    }

    /// <summary>
    /// Copies <paramref name="count"/> elements of <paramref name="dtype"/> from a dense array to another in parallel
    /// chunks (<paramref name="values"/> are the IR values whose storage the pointers are computed from in the body).
    /// </summary>
    public static void ParallelCopy(KernelScope scope, DType dtype, LLVMValueRef count, IReadOnlyCollection<Value> values,
        Func<KernelScope, (LLVMValueRef Source, LLVMValueRef Destination)> pointers) =>
        scope.ParallelFor(count, LoopLowering.Grain, values, (inner, start, end) =>
        {
            var (source, destination) = pointers(inner);
            inner.For(start, end, i => Move(inner, dtype, source, i, destination, i));
        });
}
