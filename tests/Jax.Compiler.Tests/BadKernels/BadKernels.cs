namespace JaxToolchain.Compiler.Tests.BadKernels;

/// <summary>One mistake per method; the comment "expect JAXnnnn" marks the line jaxc must report it at.</summary>
public class BadKernels
{
    private static readonly Tensor Table = Jnp.Arange(3f);

    [Jit("f32[n,3]", "f32[4]")]
    public static Tensor ShapeMismatch(Tensor x, Tensor y)
    {
        Console.WriteLine("traced"); // (a Release build has no sequence point for a statement that starts with values on the IL stack)
        return Jnp.Dot(x * 2, y); // expect JAX1001
    }

    [Jit("f32[n]")]
    public static Tensor TooFewEntries(Tensor x, Tensor y) => x + y; // expect JAX1002

    [Jit("f32[n")]
    public static Tensor BadType(Tensor x) => x; // expect JAX1002

    [Jit("f32[n]", "i32[3]")]
    public static Tensor ListParameter(Tensor x, int[] indices) => x; // expect JAX1003

    [Jit("(f32[n], f32[n])")]
    public static Tensor TupleForArray(Tensor[] xs) => xs[0]; // expect JAX1002

    [Jit("f32[n]")]
    public static double ReturnsDouble(Tensor x) => 1.0; // expect JAX1004

    [Jit("f32[n]", "f32[]")]
    public static Tensor DynamicDouble(Tensor x, double alpha) => x * alpha; // expect JAX1005

    [Jit("f32[n]")]
    public Tensor Instance(Tensor x) => x; // expect JAX1006

    [Jit("f32[n]", StaticArgnums = [])]
    [Jit("f64[n]", Name = "Other")]
    public static Tensor Disagree(Tensor x) => x; // expect JAX1007

    [Jit("f32[3]")]
    public static Tensor ReadsField(Tensor x) => x + Table; // expect JAX1008

    [Jit("f32[n]", "abc", StaticArgnums = [1])]
    public static Tensor BadStatic(Tensor x, double alpha) => x * alpha; // expect JAX1009

    [Jit("f32[n]")]
    public static Tensor BranchesOnValue(Tensor x)
    {
        if (Jnp.Sum(x).Item() > 0) return x; // expect JAX1010
        return -x;
    }
}
