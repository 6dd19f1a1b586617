using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace DnsExpert.Architecture.Tests;

/// <summary>
/// Which namespace of ours uses which, read from compiled assemblies: every type a type names in its base type,
/// interfaces, fields, properties, method signatures, attributes and method bodies (the IL's type, method and field
/// tokens), each counted for the namespace of the outermost declaring type. Compiler-made types (closures, state
/// machines) count for the type they were made for.
/// </summary>
public static class NamespaceGraph
{
    private const string Ours = "DnsExpert";

    private static readonly OpCode[] OneByte = new OpCode[0x100];
    private static readonly OpCode[] TwoByte = new OpCode[0x100];

#pragma warning disable CA1810 // The opcode tables are filled from OpCodes' fields once; no simpler initialiser says it.
    static NamespaceGraph()
#pragma warning restore CA1810
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            var value = (ushort)code.Value;
            (code.Size == 1 ? OneByte : TwoByte)[value & 0xff] = code;
        }
    }

    /// <summary>For each namespace of ours in <paramref name="assemblyPaths"/>, the other namespaces of ours it uses.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Load(IEnumerable<string> assemblyPaths)
    {
        var uses = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var path in assemblyPaths)
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            new AssemblyReading(pe, uses).ReadAll();
        }

        return uses.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Each set of namespaces that reach each other through their uses (a cycle), in name order; empty when the uses
    /// all run one way.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cycles(IReadOnlyDictionary<string, IReadOnlySet<string>> uses)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();
        void Connect(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in uses.GetValueOrDefault(node) ?? new HashSet<string>())
            {
                if (!index.TryGetValue(next, out var seen))
                {
                    Connect(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string popped;
                do
                {
                    popped = stack.Pop();
                    onStack.Remove(popped);
                    component.Add(popped);
                }
                while (popped != node);
                if (component.Count > 1)
                {
                    components.Add(component);
                }
            }
        }

        foreach (var node in uses.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Connect(node);
            }
        }

        return components
            .Select(c => (IReadOnlyList<string>)c.Order(StringComparer.Ordinal).ToList())
            .OrderBy(c => c[0], StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A cycle in one sentence: each namespace in it and one namespace of the cycle it uses.</summary>
    public static string Describe(IReadOnlyDictionary<string, IReadOnlySet<string>> uses, IReadOnlyList<string> cycle) =>
        "cycle: " + string.Join(", ", cycle.Select(n => $"{n} uses {uses[n].Where(cycle.Contains).Order(StringComparer.Ordinal).First()}"));

    private static bool IsOurs(string ns) => ns == Ours || ns.StartsWith(Ours + ".", StringComparison.Ordinal);

    /// <summary>The uses of one assembly's types.</summary>
    private sealed class AssemblyReading(PEReader pe, Dictionary<string, HashSet<string>> uses) : ISignatureTypeProvider<ImmutableArray<string>, object?>
    {
        private readonly MetadataReader _md = pe.GetMetadataReader();
        private HashSet<string>? _current;

        public void ReadAll()
        {
            foreach (var handle in _md.TypeDefinitions)
            {
                var type = _md.GetTypeDefinition(handle);
                var ns = NamespaceOf(handle);
                if (!IsOurs(ns))
                {
                    continue;
                }

                if (!uses.TryGetValue(ns, out _current))
                {
                    uses[ns] = _current = new HashSet<string>(StringComparer.Ordinal);
                }

                Use(type.BaseType);
                foreach (var i in type.GetInterfaceImplementations())
                {
                    Use(_md.GetInterfaceImplementation(i).Interface);
                }

                Attributes(type.GetCustomAttributes());
                foreach (var f in type.GetFields())
                {
                    var field = _md.GetFieldDefinition(f);
                    Add(field.DecodeSignature(this, null));
                    Attributes(field.GetCustomAttributes());
                }

                foreach (var p in type.GetProperties())
                {
                    var property = _md.GetPropertyDefinition(p);
                    Add(property.DecodeSignature(this, null));
                    Attributes(property.GetCustomAttributes());
                }

                foreach (var m in type.GetMethods())
                {
                    var method = _md.GetMethodDefinition(m);
                    Add(method.DecodeSignature(this, null));
                    Attributes(method.GetCustomAttributes());
                    if (method.RelativeVirtualAddress != 0)
                    {
                        Body(pe.GetMethodBody(method.RelativeVirtualAddress));
                    }
                }

                _current.Remove(ns);
            }
        }

        private void Add(MethodSignature<ImmutableArray<string>> signature)
        {
            Add(signature.ReturnType);
            foreach (var parameter in signature.ParameterTypes)
            {
                Add(parameter);
            }
        }

        private void Add(ImmutableArray<string> namespaces)
        {
            foreach (var ns in namespaces)
            {
                if (IsOurs(ns))
                {
                    _current!.Add(ns);
                }
            }
        }

        private void Attributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var a in attributes)
            {
                Use(_md.GetCustomAttribute(a).Constructor);
            }
        }

        private void Body(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
            {
                foreach (var local in _md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null))
                {
                    Add(local);
                }
            }

            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                var first = il.ReadByte();
                var code = first == 0xfe ? TwoByte[il.ReadByte()] : OneByte[first];
                switch (code.OperandType)
                {
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        Use(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineSwitch:
                        var targets = il.ReadInt32();
                        il.Offset += 4 * targets;
                        break;
                    default:
                        il.Offset += 4;
                        break;
                }
            }
        }

        /// <summary>The namespaces of what a token or handle names: a type, or the type declaring a member, and its type arguments.</summary>
        private void Use(EntityHandle handle)
        {
            if (handle.IsNil)
            {
                return;
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                case HandleKind.TypeReference:
                case HandleKind.TypeSpecification:
                    Add(TypeOf(handle));
                    break;
                case HandleKind.MethodDefinition:
                    Add([NamespaceOf(_md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType())]);
                    break;
                case HandleKind.FieldDefinition:
                    Add([NamespaceOf(_md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType())]);
                    break;
                case HandleKind.MemberReference:
                    Use(_md.GetMemberReference((MemberReferenceHandle)handle).Parent);
                    break;
                case HandleKind.MethodSpecification:
                    var spec = _md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Use(spec.Method);
                    foreach (var argument in spec.DecodeSignature(this, null))
                    {
                        Add(argument);
                    }

                    break;
            }
        }

        private ImmutableArray<string> TypeOf(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeDefinition => [NamespaceOf((TypeDefinitionHandle)handle)],
            HandleKind.TypeReference => [NamespaceOf((TypeReferenceHandle)handle)],
            HandleKind.TypeSpecification => _md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null),
            _ => [],
        };

        private string NamespaceOf(TypeDefinitionHandle handle)
        {
            var type = _md.GetTypeDefinition(handle);
            var declaring = type.GetDeclaringType();
            return declaring.IsNil ? _md.GetString(type.Namespace) : NamespaceOf(declaring);
        }

        private string NamespaceOf(TypeReferenceHandle handle)
        {
            var type = _md.GetTypeReference(handle);
            return type.ResolutionScope.Kind == HandleKind.TypeReference
                ? NamespaceOf((TypeReferenceHandle)type.ResolutionScope)
                : _md.GetString(type.Namespace);
        }

        public ImmutableArray<string> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [NamespaceOf(handle)];

        public ImmutableArray<string> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [NamespaceOf(handle)];

        public ImmutableArray<string> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public ImmutableArray<string> GetGenericInstantiation(ImmutableArray<string> genericType, ImmutableArray<ImmutableArray<string>> typeArguments) =>
            genericType.AddRange(typeArguments.SelectMany(a => a));

        public ImmutableArray<string> GetFunctionPointerType(MethodSignature<ImmutableArray<string>> signature) =>
            signature.ReturnType.AddRange(signature.ParameterTypes.SelectMany(p => p));

        public ImmutableArray<string> GetModifiedType(ImmutableArray<string> modifier, ImmutableArray<string> unmodifiedType, bool isRequired) => unmodifiedType;

        public ImmutableArray<string> GetArrayType(ImmutableArray<string> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<string> GetSZArrayType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetByReferenceType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetPointerType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetPinnedType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetGenericMethodParameter(object? genericContext, int index) => [];

        public ImmutableArray<string> GetGenericTypeParameter(object? genericContext, int index) => [];

        public ImmutableArray<string> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];
    }
}
