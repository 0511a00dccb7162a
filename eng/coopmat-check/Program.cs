using JaxToolchain.Backends.Tests.Spirv;

// Runs SpirvDotTests.CooperativeMatrixVariantsComputeTheInterpretersNumbers (float16 products through the first
// cooperative-matrix variant the device supports, against the interpreter) if the Vulkan device has one of our shapes.
var fact = new CooperativeMatrixFactAttribute();
if (fact.Skip is { } why)
{
    Console.WriteLine($"coopmat-check: not run: {why}");
    return 0;
}
try
{
    new SpirvDotTests().CooperativeMatrixVariantsComputeTheInterpretersNumbers();
    Console.WriteLine("coopmat-check: passed (cooperative-matrix float16 products equal the interpreter's within the stated tolerance)");
    return 0;
}
catch (Exception e)
{
    Console.WriteLine($"coopmat-check: FAILED: {e.GetType().Name}: {e.Message}");
    return 1;
}
