using System.Globalization;
using JaxToolchain.Ir;

namespace JaxToolchain;

/// <summary>
/// The text of a static argument value in a kernel manifest (<see cref="ManifestKernel.Statics"/>): the value's type
/// and its invariant text, so that values equal as keys have equal text and values of different types never do
/// (<c>3</c> and <c>3L</c> are different keys). Forms: <c>null</c>; <c>bool:true</c>; <c>int:3</c>, <c>long:3</c>
/// and the other C# numeric keywords (<c>double:0.5</c>, round-trip text); <c>string:relu</c>; <c>char:x</c>;
/// a static array as <c>array:dense&lt;f32[2]: [1.0, 2.0]&gt;</c> (<c>{weak}</c> appended when weakly typed); any
/// other value (enums, records) as <c>&lt;full type name&gt;:&lt;invariant ToString&gt;</c>
/// (<c>JaxToolchain.Ir.DType:Float32</c>). A user type's text must be as faithful as its equality for a manifest to
/// match it.
/// </summary>
public static class StaticArgumentText
{
    /// <summary>The manifest text of a static argument value.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "bool:true" : "bool:false",
        string s => "string:" + s,
        char c => "char:" + c,
        sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal =>
            Keyword(value) + ":" + ((IFormattable)value).ToString(value is float or double ? "R" : null, CultureInfo.InvariantCulture),
        StaticArray array => "array:" + IrPrinter.FormatAttribute(array.Value.Buffer) + (array.Value.WeakType ? "{weak}" : ""),
        Tensor tensor => Format(new StaticArray(tensor)),
        IFormattable formattable => $"{value.GetType().FullName}:{formattable.ToString(null, CultureInfo.InvariantCulture)}",
        _ => $"{value.GetType().FullName}:{value}",
    };

    /// <summary>The texts of a key's static arguments, in order.</summary>
    public static string[] Of(ExecutableKey key) => key.StaticArguments.Select(Format).ToArray();

    private static string Keyword(object number) => number switch
    {
        sbyte => "sbyte",
        byte => "byte",
        short => "short",
        ushort => "ushort",
        int => "int",
        uint => "uint",
        long => "long",
        ulong => "ulong",
        float => "float",
        double => "double",
        _ => "decimal",
    };
}
