namespace JaxToolchain.Ir.Tests.Execution;

public class InterpreterMemoryTests
{
    private const int N = 1 << 20;

    private static Function Chain(int length, bool reuseEachTwice)
    {
        var block = new Block([new ShapedType(DType.Float32, Shape.Of(N))]);
        var e = new Emitter(block);
        var x = block.Arguments[0];
        var y = x;
        for (int i = 0; i < length; i++)
        {
            var next = (i % 3) switch { 0 => e.Sin(y), 1 => e.Exp(e.Neg(y)), _ => e.Mul(y, x) };
            // Each intermediate read twice: it cannot be overwritten in place, only freed after its last use.
            y = reuseEachTwice ? e.Add(next, next) : next;
        }
        block.SetResults([y]);
        return new Function("chain", block);
    }

    private static (long Peak, Buffer Result) RunMeasured(Function f, Buffer x, bool donate = false)
    {
        var allocator = new CachingHostAllocator();
        using (HostAllocators.Use(allocator))
        {
            var result = donate ? Interpreter.Run(f, [x], [true])[0] : Interpreter.Run(f, x)[0];
            var peak = allocator.Stats.PeakBytesInUse;
            allocator.Clear();
            return (peak, result);
        }
    }

    private static Buffer Input()
    {
        var x = Buffer.Uninitialized(DType.Float32, Shape.Of(N));
        var s = x.Span<float>();
        for (int i = 0; i < s.Length; i++) s[i] = (i % 1000) / 1000f;
        return x;
    }

    [Fact]
    public void Intermediates_are_freed_after_their_last_use()
    {
        using var x = Input();
        long block = CachingHostAllocator.SizeClass(4L * N);
        var (peak, result) = RunMeasured(Chain(20, reuseEachTwice: true), x);
        using (result)
        {
            // At most three arrays live at once (the value, its sum, the next one), not the 40 the chain computes.
            Assert.True(peak <= 3 * block, $"peak {peak} bytes is more than three {block}-byte arrays");
        }
    }

    [Fact]
    public void Elementwise_chains_run_in_place_in_one_intermediate()
    {
        using var x = Input();
        long block = CachingHostAllocator.SizeClass(4L * N);
        var (peak, result) = RunMeasured(Chain(20, reuseEachTwice: false), x);
        using (result) Assert.Equal(block, peak);
    }

    [Fact]
    public void Results_are_the_same_with_and_without_freeing()
    {
        using var x = Input();
        var f = Chain(12, reuseEachTwice: true);
        using var freed = Interpreter.Run(f, x)[0];
        // The same function op by op through the kernels, nothing freed or overwritten.
        var values = new Dictionary<Value, Buffer> { [f.Parameters[0]] = x };
        foreach (var op in f.Body.Operations)
            values[op.Results[0]] = op.Primitive.Evaluate(op.Operands.Select(o => values[o]).ToArray(), op.Attributes, op.Regions, Interpreter.Default)[0];
        Assert.True(freed.BitwiseEquals(values[f.Body.Results[0]]));
    }

    [Fact]
    public void A_donated_argument_holds_the_result()
    {
        var x = Input();
        var pointer = x.Pointer;
        var f = IrParser.ParseFunction($$"""
            func @f(%0: f32[{{N}}]) -> (f32[{{N}}]) {
              %1 = sin %0 : f32[{{N}}]
              %2 = neg %1 : f32[{{N}}]
              %3 = exp %2 : f32[{{N}}]
              return %3
            }
            """);
        var (peak, result) = RunMeasured(f, x, donate: true);
        using (result)
        {
            Assert.Equal(0, peak);
            Assert.Equal(pointer, result.Pointer);
        }
    }

    [Fact]
    public void Arguments_are_never_overwritten_or_freed()
    {
        using var x = Input();
        var before = x.ToArray<float>();
        using var result = Interpreter.Run(Chain(6, reuseEachTwice: false), x)[0];
        Assert.False(x.IsDisposed);
        Assert.Equal(before, x.ToArray<float>());
    }

    [Fact]
    public void A_function_returning_its_argument_or_one_value_twice_returns_usable_buffers()
    {
        var f = IrParser.ParseFunction("""
            func @twice(%0: f32[3]) -> (f32[3], f32[3], f32[3]) {
              %1 = exp %0 : f32[3]
              return %0, %1, %1
            }
            """);
        using var x = Buffer.Of(new[] { 0f, 1, 2 });
        var results = Interpreter.Run(f, x);
        Assert.Same(x, results[0]);
        Assert.Same(results[1], results[2]);
        Assert.False(results[1].IsDisposed);
        Assert.Equal(MathF.Exp(2), results[1].ToArray<float>()[2]);
    }

    [Fact]
    public void Loops_keep_one_iteration_of_memory()
    {
        var f = IrParser.ParseFunction($$"""
            func @loop(%0: f32[{{N}}]) -> (f32[{{N}}]) {
              %1 = scan %0 {length = 50, num_carry = 1, num_consts = 0, reverse = false} (%2: f32[{{N}}]) {
                %3 = sin %2 : f32[{{N}}]
                %4 = add %3, %2 : f32[{{N}}]
                return %4
              } : f32[{{N}}]
              return %1
            }
            """);
        using var x = Input();
        long block = CachingHostAllocator.SizeClass(4L * N);
        var (peak, result) = RunMeasured(f, x);
        using (result) Assert.True(peak <= 3 * block, $"peak {peak} bytes over 50 iterations of {block}-byte carries");
    }
}
