using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace JaxToolchain.Ir;

/// <summary>
/// Parses the text form that <see cref="IrPrinter"/> prints, so that <c>Print(Parse(text)) == text</c> for printed
/// text and <c>Parse(Print(f))</c> prints as <c>f</c> does. Value names may be any <c>%identifier</c> (printing
/// renumbers them), whitespace is free and <c>//</c> starts a comment to the end of the line. Primitives are
/// found with <see cref="PrimitiveRegistry"/>; each operation gets the result types written in the text, which the
/// parser does not check against the primitive's rule: run <see cref="Verifier"/> for that. A region may name
/// values of the enclosing blocks (the text is lexically scoped) so that the verifier can report it.
/// Errors are <see cref="IrParseException"/>s with the line and column.
/// </summary>
public static class IrParser
{
    /// <summary>Parses a module: zero or more functions.</summary>
    public static Module ParseModule(string text)
    {
        var parser = new Parser(text);
        var module = new Module();
        while (!parser.AtEnd)
        {
            var at = parser.Peek;
            var function = parser.ParseFunction();
            if (module.Functions.Any(f => f.Name == function.Name))
                throw new IrParseException(at.Line, at.Column, $"function @{IrPrinter.FunctionName(function.Name)} is defined twice");
            module.Functions.Add(function);
        }
        return module;
    }

    /// <summary>Parses exactly one function.</summary>
    public static Function ParseFunction(string text)
    {
        var parser = new Parser(text);
        var function = parser.ParseFunction();
        parser.ExpectEnd();
        return function;
    }

    /// <summary>
    /// Parses a type as the printer writes it: <c>f32[3,n]</c>, <c>f32[]{weak}</c> (what a kernel manifest stores
    /// input and output types as).
    /// </summary>
    public static ShapedType ParseType(string text)
    {
        var parser = new Parser(text);
        var type = parser.ParseType();
        parser.ExpectEnd();
        return type;
    }

    private sealed class Parser(string text)
    {
        private readonly IEnumerator<Token> _lexer = IrLexer.Tokenize(text).GetEnumerator();

        /// <summary>The tokens read so far (the lexer runs only as far as the parser looks).</summary>
        private readonly List<Token> _tokens = [];
        private int _pos;

        /// <summary>The value of every visible name (a name cannot be defined again while it is visible).</summary>
        private readonly Dictionary<string, Value> _visible = new(StringComparer.Ordinal);

        /// <summary>The names each open block defined, innermost block last: they stop being visible when it closes.</summary>
        private readonly List<List<string>> _scopes = [];

        public Token Peek => TokenAt(_pos);

        /// <summary>Token <paramref name="index"/> of the text; the end token for any index past the end.</summary>
        private Token TokenAt(int index)
        {
            while (_tokens.Count <= index && _lexer.MoveNext()) _tokens.Add(_lexer.Current);
            return _tokens[Math.Min(index, _tokens.Count - 1)];
        }

        public bool AtEnd => Peek.Kind == TokenKind.End;

        private Token Next()
        {
            var token = Peek;
            if (token.Kind != TokenKind.End) _pos++;
            return token;
        }

        private static IrParseException Error(Token at, string problem) => new(at.Line, at.Column, problem);

        private static IrParseException Expected(Token at, string what) => Error(at, $"expected {what}, found {at.Describe()}");

        private Token Expect(string punct, string? what = null) =>
            Peek.Is(punct) ? Next() : throw Expected(Peek, what ?? $"'{punct}'");

        private Token Expect(TokenKind kind, string what) =>
            Peek.Kind == kind ? Next() : throw Expected(Peek, what);

        private bool Accept(string punct)
        {
            if (!Peek.Is(punct)) return false;
            Next();
            return true;
        }

        public void ExpectEnd()
        {
            if (!AtEnd) throw Expected(Peek, "end of input");
        }

        /// <summary>Parses <paramref name="item"/> repeatedly, separated by commas, until <paramref name="close"/> (consumed).</summary>
        private List<T> ListUntil<T>(string close, Func<T> item)
        {
            var items = new List<T>();
            if (Accept(close)) return items;
            do items.Add(item());
            while (Accept(","));
            Expect(close, $"',' or '{close}'");
            return items;
        }

        // func @name(%a: t, ...) -> (t, ...) { body }
        public Function ParseFunction()
        {
            if (!Peek.IsWord("func")) throw Expected(Peek, "'func'");
            Next();
            string name = Expect(TokenKind.FunctionName, "a function name '@name'").Text;
            _visible.Clear();
            _scopes.Clear();
            _scopes.Add([]);
            var parameters = ParseArguments();
            Expect("->", "'->' before the result types");
            Expect("(", "'(' before the result types");
            var declared = ListUntil(")", ParseType);
            var body = new Block(parameters);
            Expect("{", "'{' to open the function body");
            var returnToken = ParseBody(body);
            Expect("}", "'}' to close the function body");
            var actual = body.ResultTypes.ToList();
            if (!actual.SequenceEqual(declared))
                throw Error(returnToken, $"@{name} returns ({string.Join(", ", actual)}) but its signature declares ({string.Join(", ", declared)})");
            return new Function(name, body);
        }

        // (%a: t, ...) defining the names in the innermost scope.
        private List<Value> ParseArguments()
        {
            Expect("(", "'(' before the arguments");
            return ListUntil(")", () =>
            {
                var nameToken = Expect(TokenKind.ValueName, "an argument name '%name'");
                Expect(":", "':' after the argument name");
                var value = new Value(ParseType());
                Define(nameToken, value);
                return value;
            });
        }

        private void Define(Token nameToken, Value value)
        {
            if (TryLookup(nameToken.Text, out _))
                throw Error(nameToken, $"value %{nameToken.Text} is already defined");
            _visible[nameToken.Text] = value;
            _scopes[^1].Add(nameToken.Text);
        }

        private bool TryLookup(string name, out Value value) => _visible.TryGetValue(name, out value!);

        private Value ParseUse()
        {
            var token = Expect(TokenKind.ValueName, "a value name '%name'");
            return TryLookup(token.Text, out var value) ? value : throw Error(token, $"undefined value %{token.Text}");
        }

        /// <summary>Operations up to and including <c>return</c>; returns the <c>return</c> token.</summary>
        private Token ParseBody(Block block)
        {
            while (true)
            {
                var start = Peek;
                if (start.IsWord("return"))
                {
                    Next();
                    var results = new List<Value>();
                    if (Peek.Kind == TokenKind.ValueName)
                    {
                        do results.Add(ParseUse());
                        while (Accept(","));
                    }
                    block.SetResults(results);
                    return start;
                }
                block.Append(ParseOperation());
            }
        }

        // [%r, ... =] prim [%a, ...] [{attrs}] [(args) {body}]* : (types | ())
        private Operation ParseOperation()
        {
            var resultNames = new List<Token>();
            if (Peek.Kind == TokenKind.ValueName)
            {
                do resultNames.Add(Expect(TokenKind.ValueName, "a result name '%name'"));
                while (Accept(","));
                Expect("=", "'=' after the result names");
            }
            var primToken = Expect(TokenKind.Word, resultNames.Count == 0 ? "an operation or 'return'" : "a primitive name");
            if (!PrimitiveRegistry.TryGet(primToken.Text, out var primitive))
                throw Error(primToken, $"unknown primitive '{primToken.Text}'");
            var operands = new List<Value>();
            if (Peek.Kind == TokenKind.ValueName)
            {
                do operands.Add(ParseUse());
                while (Accept(","));
            }
            var attributes = Peek.Is("{") ? ParseAttributes() : Attributes.Empty;
            var regions = new List<Block>();
            while (Peek.Is("("))
                regions.Add(ParseRegion());
            var colon = Expect(":", $"':' before the result types of '{primitive.Name}'");
            var types = new List<ShapedType>();
            if (Accept("("))
            {
                Expect(")", "')' (an operation without results is written ': ()')");
            }
            else
            {
                do types.Add(ParseType());
                while (Accept(","));
            }
            if (types.Count != resultNames.Count)
                throw Error(colon, $"'{primitive.Name}' names {resultNames.Count} results but lists {types.Count} result types");
            var op = new Operation(primitive, operands, types, attributes, regions);
            for (int i = 0; i < resultNames.Count; i++) Define(resultNames[i], op.Results[i]);
            return op;
        }

        private Block ParseRegion()
        {
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
                throw Error(Peek, "regions nest too deeply for this thread's stack");
            _scopes.Add([]);
            var region = new Block(ParseArguments());
            Expect("{", "'{' to open the region");
            ParseBody(region);
            Expect("}", "'}' to close the region");
            foreach (var name in _scopes[^1]) _visible.Remove(name);
            _scopes.RemoveAt(_scopes.Count - 1);
            return region;
        }

        // f32[3,n] or f32[]{weak}
        public ShapedType ParseType()
        {
            var token = Expect(TokenKind.Word, "a type such as 'f32[3,n]'");
            if (!DTypes.TryParse(token.Text, out var dtype))
                throw Error(token, $"expected a type such as 'f32[3,n]', found unknown dtype '{token.Text}'");
            Expect("[", $"'[' after the dtype '{token.Text}'");
            var shape = new Shape(ListUntil("]", ParseDim));
            if (shape.IsStatic && !shape.TryGetElementCount(out _))
                throw Error(token, $"the type {token.Text}{shape} has more elements than a 64-bit size can count");
            bool weak = false;
            if (Peek.Is("{") && TokenAt(_pos + 1).IsWord("weak"))
            {
                Next();
                Next();
                Expect("}", "'}' after 'weak'");
                weak = true;
            }
            return new ShapedType(dtype, shape, weak);
        }

        private Dim ParseDim()
        {
            var token = Next();
            if (token.Kind == TokenKind.Word) return Dim.Sym(token.Text);
            if (token.Kind == TokenKind.Integer && long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                return Dim.Of(size);
            throw Expected(token, "a dimension (a size or a symbol)");
        }

        // {name = value, ...}
        private Attributes ParseAttributes()
        {
            Expect("{");
            var attributes = Attributes.Empty;
            foreach (var (name, value) in ListUntil("}", ParseAttribute))
            {
                if (attributes.ContainsKey(name.Text)) throw Error(name, $"attribute '{name.Text}' is given twice");
                attributes = attributes.With(name.Text, value);
            }
            return attributes;
        }

        private (Token Name, object Value) ParseAttribute()
        {
            var name = Expect(TokenKind.Word, "an attribute name");
            Expect("=", $"'=' after the attribute name '{name.Text}'");
            return (name, ParseAttributeValue());
        }

        private object ParseAttributeValue()
        {
            var token = Peek;
            switch (token.Kind)
            {
                case TokenKind.Integer:
                    Next();
                    return ParseLong(token);
                case TokenKind.Float:
                    Next();
                    return double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
                case TokenKind.String:
                    Next();
                    return token.Text;
                case TokenKind.Punct when token.Text == "[":
                    Next();
                    return ListUntil("]", () => ParseLong(Expect(TokenKind.Integer, "an integer"))).ToArray();
                case TokenKind.Punct when token.Text == "<":
                    Next();
                    return new Shape(ListUntil(">", ParseDim));
                case TokenKind.Punct when token.Text == "-":
                case TokenKind.Word when token.Text is "nan" or "inf":
                    return double.Parse(ParseSpecialFloat(), CultureInfo.InvariantCulture);
                case TokenKind.Word when token.Text is "true" or "false":
                    Next();
                    return token.Text == "true";
                case TokenKind.Word when token.Text == "dense":
                    return ParseDense();
                case TokenKind.Word when DTypes.TryParse(token.Text, out var dtype):
                    Next();
                    return dtype;
                default:
                    throw Expected(token, "an attribute value (integer, float, true/false, string, [list], dtype, <shape> or dense<...>)");
            }
        }

        private static long ParseLong(Token token) =>
            long.TryParse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw Error(token, $"integer {token.Text} does not fit in 64 bits");

        /// <summary><c>nan</c>, <c>inf</c>, <c>-inf</c>, <c>-nan</c> as the text of a float.</summary>
        private string ParseSpecialFloat()
        {
            var token = Next();
            bool negative = token.Is("-");
            if (negative) token = Next();
            if (!token.IsWord("nan") && !token.IsWord("inf")) throw Expected(token, "'inf' or 'nan'");
            return (negative ? "-" : "") + (token.Text == "inf" ? "Infinity" : "NaN");
        }

        // dense<f32[2]: [1.0, 2.0]>
        private Buffer ParseDense()
        {
            Next();
            Expect("<", "'<' after 'dense'");
            var typeToken = Peek;
            var type = ParseType();
            if (type.Weak || !type.Shape.IsStatic)
                throw Error(typeToken, $"a dense constant needs a static, non-weak type, got {type}");
            Expect(":", "':' after the constant's type");
            Expect("[", "'[' before the constant's elements");
            var elements = ListUntil("]", () => (Peek, ParseElementText(type.DType)));
            Expect(">", "'>' to close the dense constant");
            long count = type.Shape.ElementCount;
            if (elements.Count != count)
                throw Error(typeToken, $"dense<{type}> needs {count} elements, got {elements.Count}");
            var buffer = Buffer.Zeros(type.DType, type.Shape);
            for (int i = 0; i < elements.Count; i++)
                StoreElement(buffer, i, elements[i].Item1, elements[i].Item2);
            return buffer;
        }

        private string ParseElementText(DType dtype)
        {
            var token = Peek;
            if (dtype == DType.Bool)
                return token.IsWord("true") || token.IsWord("false") ? Next().Text : throw Expected(token, "'true' or 'false'");
            if (token.Kind == TokenKind.Integer || (dtype.IsFloat() && token.Kind == TokenKind.Float))
                return Next().Text;
            if (dtype.IsFloat() && (token.Is("-") || token.IsWord("nan") || token.IsWord("inf")))
                return ParseSpecialFloat();
            throw Expected(token, dtype.IsFloat() ? $"a {dtype.ShortName()} number" : $"an integer of {dtype.ShortName()}");
        }

        private static void StoreElement(Buffer buffer, int index, Token at, string text)
        {
            const NumberStyles Float = NumberStyles.Float, Integer = NumberStyles.AllowLeadingSign;
            // Switch on the dtype, not the array: the runtime lets a long[] pass as a ulong[] (and byte[] as sbyte[]).
            switch (buffer.DType)
            {
                case DType.Bool: buffer.Span<bool>()[index] = text == "true"; break;
                case DType.Int8: Store<sbyte>(buffer, index, at, text, Integer); break;
                case DType.Int16: Store<short>(buffer, index, at, text, Integer); break;
                case DType.Int32: Store<int>(buffer, index, at, text, Integer); break;
                case DType.Int64: Store<long>(buffer, index, at, text, Integer); break;
                case DType.UInt8: Store<byte>(buffer, index, at, text, Integer); break;
                case DType.UInt16: Store<ushort>(buffer, index, at, text, Integer); break;
                case DType.UInt32: Store<uint>(buffer, index, at, text, Integer); break;
                case DType.UInt64: Store<ulong>(buffer, index, at, text, Integer); break;
                case DType.Float16: Store<Half>(buffer, index, at, text, Float); break;
                case DType.BFloat16: buffer.Span<BFloat16>()[index] = (BFloat16)float.Parse(text, Float, CultureInfo.InvariantCulture); break;
                case DType.Float32: Store<float>(buffer, index, at, text, Float); break;
                default: Store<double>(buffer, index, at, text, Float); break;
            }
        }

        private static void Store<T>(Buffer buffer, int index, Token at, string text, NumberStyles styles) where T : unmanaged, INumberBase<T> =>
            buffer.Span<T>()[index] = T.TryParse(text, styles, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw Error(at, $"{text} is out of range for {buffer.DType.ShortName()}");
    }
}
