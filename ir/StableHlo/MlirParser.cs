using System.Globalization;
using System.Numerics;

namespace JaxToolchain.Ir.StableHlo;

/// <summary>
/// Parses the MLIR subset StableHLO programs use into <see cref="MlirFunction"/>s: modules, <c>func.func</c>,
/// operations in the generic form (<c>"stablehlo.add"(%a, %b) : (...) -&gt; ...</c>, properties <c>&lt;{...}&gt;</c>,
/// attributes <c>{...}</c>, regions) and in the pretty forms StableHLO prints (keywords kept under the names the
/// lowering looks up), attributes, types, <c>loc(...)</c> trailers and <c>#loc</c> aliases.
/// </summary>
internal sealed class MlirParser
{
    private readonly MlirCursor _c;

    public MlirParser(string text, string? sourceName) => _c = new MlirCursor(text, sourceName);

    public MlirCursor Cursor => _c;

    /// <summary>The functions of the text: a <c>module { ... }</c> or functions at the top level.</summary>
    public List<MlirFunction> ParseModule()
    {
        var functions = new List<MlirFunction>();
        ParseTopLevel(functions, insideModule: false);
        return functions;
    }

    private void ParseTopLevel(List<MlirFunction> functions, bool insideModule)
    {
        while (true)
        {
            char p = _c.Peek();
            if (p == '\0')
            {
                if (insideModule) throw _c.Error("expected '}' to close the module");
                return;
            }
            if (p == '}' && insideModule)
            {
                _c.Expect("}");
                return;
            }
            if (p == '#')
            {
                // An attribute alias: #loc1 = loc(...), #map = ...
                _c.SigilName('#');
                _c.Expect("=");
                if (_c.TryConsume("loc(")) _c.Balanced('(', ')');
                else ParseAttribute();
                continue;
            }
            var at = _c.Location;
            var word = _c.TryIdentifier() ?? throw _c.Error($"expected 'func.func' or 'module', found {_c.Describe()}");
            if (word == "module")
            {
                if (_c.Peek() == '@') _c.SigilName('@');
                if (_c.TryConsume("attributes")) ParseDictionary();
                _c.Expect("{");
                ParseTopLevel(functions, insideModule: true);
                _c.SkipLocation();
            }
            else if (word == "func.func") functions.Add(ParseFunction(at));
            else throw _c.Error($"expected 'func.func' or 'module', found '{word}'", at);
        }
    }

    private MlirFunction ParseFunction(MlirLocation at)
    {
        if (_c.TryConsume("public") || _c.TryConsume("private") || _c.TryConsume("nested")) { }
        var name = _c.SigilName('@')[1..];
        _c.Expect("(");
        var args = new List<(string, MlirType)>();
        if (!_c.TryConsume(")"))
        {
            do
            {
                var argName = _c.SigilName('%');
                _c.Expect(":");
                var type = ParseType();
                if (_c.Peek() == '{') ParseDictionary();
                _c.SkipLocation();
                args.Add((argName, type));
            }
            while (_c.TryConsume(","));
            _c.Expect(")");
        }
        var results = new List<MlirType>();
        if (_c.TryConsume("->"))
        {
            if (_c.TryConsume("("))
            {
                if (!_c.TryConsume(")"))
                {
                    do
                    {
                        results.Add(ParseType());
                        if (_c.Peek() == '{') ParseDictionary();
                        _c.SkipLocation();
                    }
                    while (_c.TryConsume(","));
                    _c.Expect(")");
                }
            }
            else results.Add(ParseType());
        }
        if (_c.TryConsume("attributes")) ParseDictionary();
        var bodyAt = _c.Location;
        _c.Expect("{");
        var ops = ParseOperations();
        _c.SkipLocation();
        return new MlirFunction(name, args, results, new MlirRegion(args, ops, bodyAt), at);
    }

    /// <summary>Operations up to (and consuming) the closing '}'.</summary>
    private List<MlirOperation> ParseOperations()
    {
        var ops = new List<MlirOperation>();
        while (!_c.TryConsume("}"))
        {
            if (_c.Peek() == '\0') throw _c.Error("expected '}' to close the block");
            ops.Add(ParseOperation());
        }
        return ops;
    }

    private MlirRegion ParseRegion()
    {
        var at = _c.Location;
        _c.Expect("{");
        var args = new List<(string, MlirType)>();
        if (_c.Peek() == '^')
        {
            _c.SigilName('^');
            if (_c.TryConsume("("))
            {
                if (!_c.TryConsume(")"))
                {
                    do
                    {
                        var n = _c.SigilName('%');
                        _c.Expect(":");
                        args.Add((n, ParseType()));
                        _c.SkipLocation();
                    }
                    while (_c.TryConsume(","));
                    _c.Expect(")");
                }
            }
            _c.Expect(":");
        }
        return new MlirRegion(args, ParseOperations(), at);
    }

    private MlirOperation ParseOperation()
    {
        var results = new List<string>();
        if (_c.Peek() == '%')
        {
            do
            {
                var n = _c.SigilName('%');
                if (_c.TryConsume(":"))
                {
                    long count = _c.Integer();
                    for (long i = 0; i < count; i++) results.Add($"{n}#{i}");
                }
                else results.Add(n);
            }
            while (_c.TryConsume(","));
            _c.Expect("=");
        }
        var at = _c.Location;
        MlirOperation op;
        if (_c.Peek() == '"')
        {
            op = new MlirOperation { Name = _c.StringLiteral(), Location = at };
            ParseGenericBody(op);
        }
        else
        {
            var name = _c.TryIdentifier() ?? throw _c.Error($"expected an operation, found {_c.Describe()}");
            op = new MlirOperation { Name = name, Location = at };
            try
            {
                ParsePrettyBody(op);
            }
            catch (StableHloImportException e) when (e.OperationName is null)
            {
                throw new StableHloImportException(_c.SourceName, e.Line, e.Column, name, e.Failure, e.Problem, e);
            }
        }
        op.Results.AddRange(results);
        if (results.Count > 0 && op.ResultTypes.Count > results.Count)
        {
            // A pretty type list gives the operands' types before the results' (select: 'tensor<i1>, tensor<2xf32>').
            op.ResultTypes.RemoveRange(0, op.ResultTypes.Count - results.Count);
        }
        _c.SkipLocation();
        return op;
    }

    private void ParseGenericBody(MlirOperation op)
    {
        _c.Expect("(");
        if (!_c.TryConsume(")"))
        {
            do op.Operands.Add(_c.SigilName('%'));
            while (_c.TryConsume(","));
            _c.Expect(")");
        }
        if (_c.TryConsume("<{"))
        {
            ParseDictionaryEntries(op.Attributes, "}>");
        }
        if (_c.StartsWith("({"))
        {
            _c.Expect("(");
            do op.Regions.Add(ParseRegion());
            while (_c.TryConsume(","));
            _c.Expect(")");
        }
        if (_c.Peek() == '{')
        {
            foreach (var (k, v) in ParseDictionary().Entries) op.Attributes[k] = v;
        }
        _c.Expect(":");
        ParseFunctionType(op);
    }

    /// <summary><c>(types) -&gt; type</c> or <c>(types) -&gt; (types)</c> into the operation's operand and result types.</summary>
    private void ParseFunctionType(MlirOperation op)
    {
        _c.Expect("(");
        if (!_c.TryConsume(")"))
        {
            do op.OperandTypes.Add(ParseType());
            while (_c.TryConsume(","));
            _c.Expect(")");
        }
        _c.Expect("->");
        ParseResultTypes(op.ResultTypes);
    }

    private void ParseResultTypes(List<MlirType> into)
    {
        if (_c.TryConsume("("))
        {
            if (!_c.TryConsume(")"))
            {
                do into.Add(ParseType());
                while (_c.TryConsume(","));
                _c.Expect(")");
            }
        }
        else into.Add(ParseType());
    }

    /// <summary>
    /// The pretty forms. Most ops print as <c>name operands-and-keywords : types</c>; the few with their own
    /// structure (constant, while, reduce, call, get_tuple_element, returns) are read by their own rules.
    /// </summary>
    private void ParsePrettyBody(MlirOperation op)
    {
        // An op we cannot lower may have a custom syntax of its own: say what it is instead of failing on its syntax.
        if (!SupportedOperations.Contains(op.Name))
        {
            var failure = SupportedOperations.FailureFor(op.Name);
            throw _c.Error(failure switch
            {
                StableHloImportFailure.UnsupportedOperation => $"op not in our primitive set: {op.Name}",
                StableHloImportFailure.UnsupportedElementType => $"unsupported element type: {op.Name} makes or reads complex or quantized values",
                _ => "no counterpart in our IR",
            }, op.Location, op.Name, failure);
        }
        switch (op.Name)
        {
            case "func.return" or "stablehlo.return" or "return":
                if (_c.Peek() == '%' && !_c.NextIsOnNewLine())
                {
                    ParseOperandList(op);
                    _c.Expect(":");
                    ParseTypeList(op.OperandTypes);
                }
                return;
            case "func.call" or "call" or "stablehlo.custom_call":
                op.Symbol = _c.SigilName('@')[1..];
                _c.Expect("(");
                if (!_c.TryConsume(")"))
                {
                    ParseOperandList(op);
                    _c.Expect(")");
                }
                if (_c.Peek() == '{') foreach (var (k, v) in ParseDictionary().Entries) op.Attributes[k] = v;
                _c.Expect(":");
                ParseFunctionType(op);
                return;
            case "stablehlo.while":
                ParsePrettyWhile(op);
                return;
            case "stablehlo.reduce" when _c.Peek() == '(':
                ParsePrettyReduce(op);
                return;
            case "chlo.scan" when _c.Peek() == '(':
                ParsePrettyScan(op);
                return;
            case "chlo.top_k" when _c.Peek() == '(':
                // chlo.top_k(%operand, k = 3) : tensor<16xf32> -> (tensor<3xf32>, tensor<3xi32>)
                _c.Expect("(");
                op.Operands.Add(_c.SigilName('%'));
                while (_c.TryConsume(","))
                {
                    var key = _c.TryIdentifier() ?? throw _c.Error($"expected an attribute name in {op.Name}");
                    _c.Expect("=");
                    op.Attributes[key] = ParseAttribute();
                }
                _c.Expect(")");
                _c.Expect(":");
                op.OperandTypes.Add(ParseType());
                _c.Expect("->");
                ParseResultTypes(op.ResultTypes);
                return;
            case "stablehlo.convolution" when _c.Peek() == '(':
                ParsePrettyConvolution(op);
                return;
        }
        ParseItems(op);
        if (_c.TryConsume(":"))
        {
            if (_c.Peek() == '(' && !_c.StartsWith("()"))
            {
                // A function type, or a parenthesised type list is not used by StableHLO's pretty forms.
                ParseFunctionType(op);
            }
            else
            {
                ParseTypeList(op.ResultTypes);
                // CHLO's elementwise ops print the operands' types, then '->' and the result's: 'tensor<4xf32> -> tensor<4xf32>'.
                if (_c.TryConsume("->"))
                {
                    op.OperandTypes.AddRange(op.ResultTypes);
                    op.ResultTypes.Clear();
                    ParseResultTypes(op.ResultTypes);
                }
            }
            if (_c.Peek() == '{' && !_c.NextIsOnNewLine())
                foreach (var (k, v) in ParseDictionary().Entries) op.Attributes[k] = v;
        }
        // Ops with regions after the types (pretty case/if print as generic in practice).
        while (_c.Peek() == '{' && op.Name is "stablehlo.if" or "stablehlo.case")
            op.Regions.Add(ParseRegion());
    }

    private void ParseOperandList(MlirOperation op)
    {
        do op.Operands.Add(_c.SigilName('%'));
        while (_c.TryConsume(","));
    }

    private void ParseTypeList(List<MlirType> into)
    {
        do into.Add(ParseType());
        while (_c.TryConsume(","));
    }

    /// <summary>
    /// The operands, <c>key = value</c> keywords, bare words and literals between a pretty op's name and its ':'.
    /// Stops at ':' or at a piece starting on a new line (the next operation) when no ',' asks for more.
    /// </summary>
    private void ParseItems(MlirOperation op)
    {
        bool continued = false;
        while (true)
        {
            char p = _c.Peek();
            if (p is ':' or '\0' or '}' || _c.StartsWith("loc(")) return;
            if (!continued && _c.NextIsOnNewLine()) return;
            continued = false;
            if (p == '%')
            {
                op.Operands.Add(_c.SigilName('%'));
                if (_c.Peek() == '[' && !_c.NextIsOnNewLine()) ParseOperandBrackets(op);
            }
            else if (p == '(' && op.Operands.Count == 0)
            {
                // stablehlo.optimization_barrier-style parenthesised operands are not printed; a '(' here is an error.
                throw _c.Error($"unexpected '(' in the pretty form of {op.Name}");
            }
            else if (_c.StartsWith("dense<") || _c.StartsWith("dense_resource<") || _c.StartsWith("array<") || p is '[' or '"' or '#' or '@' or '{' || p == '-' || char.IsDigit(p))
            {
                var value = ParseAttribute();
                if (value is MlirDictionaryAttribute d) foreach (var (k, v) in d.Entries) op.Attributes[k] = v;
                else op.Attributes[$"${op.Attributes.Count}"] = value;
            }
            else
            {
                var word = _c.TryIdentifier() ?? throw _c.Error($"unexpected {_c.Describe()} in {op.Name}");
                if (_c.TryConsume("="))
                {
                    var value = ParseAttribute();
                    if (_c.TryConsume("x")) value = new MlirPairAttribute(value, ParseAttribute());
                    op.Attributes[word] = value;
                }
                else op.Words.Add(word);
            }
            if (_c.TryConsume(",")) continued = true;
            else if (_c.NextIsOnNewLine() || _c.Peek() is ':' or '\0' or '}') return;
        }
    }

    /// <summary><c>%x [1:3, 0:4:2]</c> (pretty slice) or <c>%t[0]</c> (pretty get_tuple_element).</summary>
    private void ParseOperandBrackets(MlirOperation op)
    {
        _c.Expect("[");
        var ranges = new List<(long, long, long)>();
        var plain = new List<long>();
        if (!_c.TryConsume("]"))
        {
            do
            {
                long start = _c.Integer();
                if (_c.TryConsume(":"))
                {
                    long limit = _c.Integer();
                    long stride = _c.TryConsume(":") ? _c.Integer() : 1;
                    ranges.Add((start, limit, stride));
                }
                else plain.Add(start);
            }
            while (_c.TryConsume(","));
            _c.Expect("]");
        }
        if (ranges.Count > 0) op.Attributes["$slice"] = new MlirSliceRangesAttribute(ranges);
        else op.Attributes["index"] = new MlirIntAttribute(plain.Count == 1 ? plain[0] : throw _c.Error("expected one index"));
    }

    /// <summary>
    /// <c>stablehlo.convolution(%lhs, %rhs) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [..],
    /// pad = [[..], ..], lhs_dilate = [..], rhs_dilate = [..], reverse = [..]} {attributes} : (types) -> type</c>, its
    /// attributes renamed to the generic form's (<c>dimension_numbers</c> as the text between the brackets of
    /// <c>#stablehlo.conv&lt;...&gt;</c>, <c>window_strides</c>, <c>padding</c>, <c>lhs_dilation</c>, <c>rhs_dilation</c>,
    /// <c>window_reversal</c>).
    /// </summary>
    private void ParsePrettyConvolution(MlirOperation op)
    {
        _c.Expect("(");
        ParseOperandList(op);
        _c.Expect(")");
        while (_c.Peek() != ':')
        {
            if (_c.Peek() == '{')
            {
                foreach (var (k, v) in ParseDictionary().Entries) op.Attributes[k] = v;
                continue;
            }
            var key = _c.Identifier();
            _c.Expect("=");
            if (key == "dim_numbers")
            {
                var parts = new string[3];
                for (int i = 0; i < 3; i++)
                {
                    if (i > 0) _c.Expect(i == 1 ? "x" : "->");
                    _c.Expect("[");
                    parts[i] = "[" + _c.Balanced('[', ']') + "]";
                }
                op.Attributes["dimension_numbers"] = new MlirStringAttribute($"{parts[0]}x{parts[1]}->{parts[2]}");
            }
            else if (key == "window")
            {
                foreach (var (k, v) in ParseDictionary().Entries)
                    op.Attributes[k switch
                    {
                        "stride" => "window_strides",
                        "pad" => "padding",
                        "lhs_dilate" => "lhs_dilation",
                        "rhs_dilate" => "rhs_dilation",
                        "reverse" => "window_reversal",
                        _ => throw _c.Error($"unknown window attribute '{k}' of stablehlo.convolution"),
                    }] = v;
            }
            else op.Attributes[key] = ParseAttribute();
            _c.TryConsume(",");
        }
        _c.Expect(":");
        ParseFunctionType(op);
    }

    /// <summary><c>stablehlo.while(%iterArg = %x, ...) : types cond { ... } do { ... }</c>.</summary>
    private void ParsePrettyWhile(MlirOperation op)
    {
        if (_c.Peek() == '(')
        {
            _c.Expect("(");
            var names = new List<string>();
            if (!_c.TryConsume(")"))
            {
                do
                {
                    names.Add(_c.SigilName('%'));
                    _c.Expect("=");
                    op.Operands.Add(_c.SigilName('%'));
                }
                while (_c.TryConsume(","));
                _c.Expect(")");
            }
            _c.Expect(":");
            ParseTypeList(op.OperandTypes);
            if (_c.TryConsume("attributes")) ParseDictionary();
            var args = names.Select((n, i) => (n, op.OperandTypes[i])).ToList();
            _c.Expect("cond");
            var cond = ParseRegion();
            _c.Expect("do");
            var body = ParseRegion();
            op.Regions.Add(cond with { Arguments = args });
            op.Regions.Add(body with { Arguments = args });
            op.ResultTypes.AddRange(op.OperandTypes);
        }
        else ParseGenericBody(op);
    }

    /// <summary>
    /// <c>stablehlo.reduce(%x init: %c) applies stablehlo.add across dimensions = [0] : (...) -&gt; ...</c> and
    /// <c>stablehlo.reduce(%x init: %c) across dimensions = [1] : (...) -&gt; ... reducer(%a: t, %b: t) { ... }</c>.
    /// </summary>
    private void ParsePrettyReduce(MlirOperation op)
    {
        var inputs = new List<string>();
        var inits = new List<string>();
        do
        {
            _c.Expect("(");
            inputs.Add(_c.SigilName('%'));
            _c.Expect("init");
            _c.Expect(":");
            inits.Add(_c.SigilName('%'));
            _c.Expect(")");
        }
        while (_c.TryConsume(","));
        op.Operands.AddRange(inputs);
        op.Operands.AddRange(inits);
        if (_c.TryConsume("applies")) op.Symbol = _c.Identifier();
        _c.Expect("across");
        _c.Expect("dimensions");
        _c.Expect("=");
        op.Attributes["dimensions"] = ParseAttribute();
        if (_c.Peek() == '{') foreach (var (k, v) in ParseDictionary().Entries) op.Attributes[k] = v;
        _c.Expect(":");
        ParseFunctionType(op);
        if (_c.TryConsume("reducer"))
        {
            var args = new List<(string, MlirType)>();
            var at = _c.Location;
            do
            {
                _c.Expect("(");
                var a = _c.SigilName('%');
                _c.Expect(":");
                var ta = ParseType();
                _c.Expect(",");
                var b = _c.SigilName('%');
                _c.Expect(":");
                var tb = ParseType();
                _c.Expect(")");
                args.Add((a, ta));
                args.Add((b, tb));
            }
            while (_c.Peek() == '(');
            // The reducer's arguments are (acc_0, x_0), (acc_1, x_1)...: the region takes the accumulators first.
            var ordered = args.Where((_, i) => i % 2 == 0).Concat(args.Where((_, i) => i % 2 == 1)).ToList();
            var region = ParseRegion();
            op.Regions.Add(region with { Arguments = ordered, Location = at });
        }
    }

    /// <summary><c>chlo.scan(%xs...) inits(%carry...) dimension=0 [attributes {...}] { region } : (...) -&gt; (...)</c>.</summary>
    private void ParsePrettyScan(MlirOperation op)
    {
        _c.Expect("(");
        ParseOperandList(op);
        _c.Expect(")");
        op.Attributes["num_inputs"] = new MlirIntAttribute(op.Operands.Count);
        _c.Expect("inits");
        _c.Expect("(");
        ParseOperandList(op);
        _c.Expect(")");
        while (_c.Peek() != '{')
        {
            var word = _c.Identifier();
            if (word == "attributes") foreach (var (k, v) in ParseDictionary().Entries) op.Attributes[k] = v;
            else
            {
                _c.Expect("=");
                op.Attributes[word] = ParseAttribute();
            }
        }
        op.Regions.Add(ParseRegion());
        _c.Expect(":");
        ParseFunctionType(op);
    }

    // ---- types ----

    public MlirType ParseType()
    {
        _c.SkipTrivia();
        if (_c.TryConsume("tensor<"))
        {
            var dims = new List<long?>();
            while (true)
            {
                char p = _c.Peek();
                if (p == '?' && _c.PeekAt(1) == 'x')
                {
                    _c.ExpectRaw("?");
                    _c.ExpectRaw("x");
                    dims.Add(null);
                }
                else if (char.IsDigit(p))
                {
                    dims.Add(_c.Digits());
                    _c.ExpectRaw("x");
                }
                else break;
            }
            var element = _c.ElementTypeText();
            if (_c.TryConsume(",")) _c.Balanced('<', '>');
            else _c.Expect(">");
            return new MlirTensorType([.. dims], element);
        }
        if (_c.TryConsume("tuple<"))
        {
            var elements = new List<MlirType>();
            if (!_c.TryConsume(">"))
            {
                do elements.Add(ParseType());
                while (_c.TryConsume(","));
                _c.Expect(">");
            }
            return new MlirTupleType(elements);
        }
        if (_c.Peek() == '!')
        {
            _c.Expect("!");
            var name = _c.Identifier();
            if (_c.TryConsume("<")) name += "<" + _c.Balanced('<', '>') + ">";
            return new MlirOtherType("!" + name);
        }
        var word = _c.TryIdentifier() ?? throw _c.Error($"expected a type, found {_c.Describe()}");
        if (_c.TryConsume("<")) word += "<" + _c.Balanced('<', '>') + ">";
        return new MlirOtherType(word);
    }

    // ---- attributes ----

    public MlirDictionaryAttribute ParseDictionary()
    {
        _c.Expect("{");
        var entries = new Dictionary<string, MlirAttribute>(StringComparer.Ordinal);
        ParseDictionaryEntries(entries, "}");
        return new MlirDictionaryAttribute(entries);
    }

    private void ParseDictionaryEntries(Dictionary<string, MlirAttribute> into, string close)
    {
        if (_c.TryConsume(close)) return;
        do
        {
            string key = _c.Peek() == '"' ? _c.StringLiteral() : _c.Identifier();
            into[key] = _c.TryConsume("=") ? ParseAttribute() : new MlirUnitAttribute();
        }
        while (_c.TryConsume(","));
        _c.Expect(close);
    }

    public MlirAttribute ParseAttribute()
    {
        char p = _c.Peek();
        var at = _c.Location;
        if (_c.TryConsume("dense<"))
        {
            DenseLiteral literal;
            if (_c.TryConsume(">")) literal = new DenseList([]);
            else
            {
                literal = ParseDenseLiteral();
                _c.Expect(">");
            }
            MlirType? type = null;
            if (_c.TryConsume(":")) type = ParseType();
            return new MlirDenseAttribute(literal, type);
        }
        if (_c.TryConsume("dense_resource<"))
            throw _c.Error("dense_resource constants are not supported", at, failure: StableHloImportFailure.UnsupportedOperation);
        if (_c.TryConsume("array<"))
        {
            var elementType = _c.Identifier();
            var elements = new List<MlirAttribute>();
            if (_c.TryConsume(":"))
            {
                do elements.Add(ParseAttribute());
                while (_c.TryConsume(","));
            }
            _c.Expect(">");
            return new MlirDenseArrayAttribute(elementType, elements);
        }
        if (p == '[')
        {
            _c.Expect("[");
            var elements = new List<MlirAttribute>();
            if (!_c.TryConsume("]"))
            {
                do elements.Add(ParseAttribute());
                while (_c.TryConsume(","));
                _c.Expect("]");
            }
            return new MlirArrayAttribute(elements);
        }
        if (p == '{') return ParseDictionary();
        if (p == '<')
        {
            // An attribute whose dialect prefix the pretty form drops (dot_general's algorithm = <...>).
            _c.Expect("<");
            return new MlirStringAttribute(_c.Balanced('<', '>'));
        }
        if (p == '"')
        {
            var s = _c.StringLiteral();
            if (_c.TryConsume(":")) ParseType();
            return new MlirStringAttribute(s);
        }
        if (p == '@') return new MlirSymbolAttribute(_c.SigilName('@')[1..]);
        if (p == '#')
        {
            var name = _c.SigilName('#')[1..];
            if (!_c.TryConsume("<")) return new MlirWordAttribute(name); // an alias such as #loc3
            return ParseStructured(name);
        }
        if (p == '-' || p == '+' || char.IsDigit(p)) return ParseScalar();
        if (_c.TryConsume("true")) return new MlirBoolAttribute(true);
        if (_c.TryConsume("false")) return new MlirBoolAttribute(false);
        if (_c.TryConsume("unit")) return new MlirUnitAttribute();
        if (_c.StartsWith("tensor<") || _c.StartsWith("tuple<") || p == '!') return new MlirTypeAttribute(ParseType());
        var word = _c.TryIdentifier() ?? throw _c.Error($"expected an attribute, found {_c.Describe()}");
        if (_c.TryConsume("<")) return new MlirTypeAttribute(new MlirOtherType(word + "<" + _c.Balanced('<', '>') + ">"));
        return new MlirWordAttribute(word);
    }

    /// <summary>A number with an optional <c>: type</c> (a hex bit pattern with a float type is decoded as that float).</summary>
    private MlirAttribute ParseScalar()
    {
        var text = _c.TryNumber() ?? throw _c.Error($"expected a number, found {_c.Describe()}");
        string? type = null;
        if (_c.StartsWith(": i") || _c.StartsWith(": f") || _c.StartsWith(": u") || _c.StartsWith(": s") || _c.StartsWith(": b") || _c.StartsWith(":i") || _c.StartsWith(":f"))
        {
            _c.Expect(":");
            type = _c.Identifier();
        }
        bool isFloat = text.Contains('.', StringComparison.Ordinal) || (!text.Contains("0x", StringComparison.OrdinalIgnoreCase) && text.Contains('e', StringComparison.OrdinalIgnoreCase));
        if (type is not null && DenseValues.IsFloatTypeName(type) && text.Contains("0x", StringComparison.OrdinalIgnoreCase))
            return new MlirFloatAttribute(DenseValues.HexBitsToDouble(text, type));
        if (isFloat || (type is not null && DenseValues.IsFloatTypeName(type)))
            return new MlirFloatAttribute(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        return new MlirIntAttribute(DenseValues.ParseInteger(text));
    }

    /// <summary>
    /// <c>#dialect.name&lt;...&gt;</c>: an enum case (<c>#stablehlo.comparison_direction&lt;GT&gt;</c> → <c>GT</c>),
    /// a structure of named fields (gather/scatter/dot dimension numbers), or other text kept whole.
    /// </summary>
    private MlirAttribute ParseStructured(string name)
    {
        char p = _c.Peek();
        if (char.IsLetter(p))
        {
            var word = _c.Identifier();
            if (_c.TryConsume(">")) return new MlirWordAttribute(word);
            if (word == "raw" && name == "stablehlo.conv") return ParseRawConvDimensions();
            if (char.IsLetter(_c.Peek()))
            {
                // #stablehlo<comparison_direction GT>: the enum's name, then its case.
                var value = _c.Identifier();
                _c.Expect(">");
                return new MlirWordAttribute(value);
            }
            if (_c.TryConsume("="))
            {
                var fields = new Dictionary<string, MlirAttribute>(StringComparer.Ordinal) { [word] = ParseAttribute() };
                while (_c.TryConsume(","))
                {
                    var key = _c.Identifier();
                    _c.Expect("=");
                    fields[key] = ParseAttribute();
                }
                _c.Expect(">");
                return new MlirStructAttribute(name, fields);
            }
            return new MlirStructAttribute(name, new Dictionary<string, MlirAttribute> { ["$text"] = new MlirStringAttribute(word + _c.Balanced('<', '>')) });
        }
        return new MlirStructAttribute(name, new Dictionary<string, MlirAttribute> { ["$text"] = new MlirStringAttribute(_c.Balanced('<', '>')) });
    }

    /// <summary>
    /// <c>#stablehlo.conv&lt;raw input_batch_dimension = 0, ...&gt;</c>, the form the printer uses when the short one
    /// cannot say it: rewritten as the short form's text (<c>[b, 0, f]x[o, i, 0]->[b, 0, f]</c>) so that one reader serves both.
    /// </summary>
    private MlirAttribute ParseRawConvDimensions()
    {
        var at = _c.Location;
        var fields = new Dictionary<string, MlirAttribute>(StringComparer.Ordinal);
        do
        {
            var key = _c.Identifier();
            _c.Expect("=");
            fields[key] = ParseAttribute();
        }
        while (_c.TryConsume(","));
        _c.Expect(">");
        long One(string key) => fields.GetValueOrDefault(key) is MlirIntAttribute i ? (long)i.Value : throw _c.Error($"#stablehlo.conv<raw ...> needs {key}", at);
        long[] Many(string key) => fields.GetValueOrDefault(key) switch
        {
            MlirArrayAttribute a => a.Elements.Select(e => e is MlirIntAttribute i ? (long)i.Value : throw _c.Error($"{key} must list integers", at)).ToArray(),
            null => [],
            _ => throw _c.Error($"{key} must list integers", at),
        };
        string Spec(string prefix, string first, string second, char firstLetter, char secondLetter)
        {
            var spatial = Many(prefix + "spatial_dimensions");
            var letters = new string[spatial.Length + 2];
            long a = One(prefix + first), b = One(prefix + second);
            if (a < 0 || a >= letters.Length || b < 0 || b >= letters.Length || spatial.Any(d => d < 0 || d >= letters.Length))
                throw _c.Error($"#stablehlo.conv<raw ...>: a {prefix.TrimEnd('_')} dimension is out of range", at);
            letters[a] = firstLetter.ToString();
            letters[b] = secondLetter.ToString();
            for (int i = 0; i < spatial.Length; i++) letters[spatial[i]] = i.ToString(CultureInfo.InvariantCulture);
            if (letters.Any(l => l is null)) throw _c.Error($"#stablehlo.conv<raw ...>: the {prefix.TrimEnd('_')} dimensions are not a permutation", at);
            return "[" + string.Join(", ", letters) + "]";
        }
        var text = Spec("input_", "batch_dimension", "feature_dimension", 'b', 'f') + "x"
            + Spec("kernel_", "output_feature_dimension", "input_feature_dimension", 'o', 'i') + "->"
            + Spec("output_", "batch_dimension", "feature_dimension", 'b', 'f');
        return new MlirStructAttribute("stablehlo.conv", new Dictionary<string, MlirAttribute> { ["$text"] = new MlirStringAttribute(text) });
    }

    private DenseLiteral ParseDenseLiteral()
    {
        char p = _c.Peek();
        if (p == '[')
        {
            _c.Expect("[");
            var elements = new List<DenseLiteral>();
            if (!_c.TryConsume("]"))
            {
                do elements.Add(ParseDenseLiteral());
                while (_c.TryConsume(","));
                _c.Expect("]");
            }
            return new DenseList(elements);
        }
        if (p == '(')
        {
            _c.Expect("(");
            var re = ParseDenseLiteral();
            _c.Expect(",");
            var im = ParseDenseLiteral();
            _c.Expect(")");
            return new DenseComplex(re, im);
        }
        if (p == '"') return new DenseHexBlob(_c.StringLiteral());
        if (_c.TryConsume("true")) return new DenseScalar("true");
        if (_c.TryConsume("false")) return new DenseScalar("false");
        var number = _c.TryNumber();
        if (number is not null) return new DenseScalar(number);
        var word = _c.TryIdentifier();
        if (word is "inf" or "nan") return new DenseScalar(word);
        throw _c.Error($"expected a dense element, found {_c.Describe()}");
    }
}
