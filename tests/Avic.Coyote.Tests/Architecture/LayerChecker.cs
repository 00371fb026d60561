using System.Reflection;
using System.Reflection.Emit;

namespace Avic.Coyote.Tests.Architecture;

/// <summary>A folder of the engine (its namespace) and the folders it may use.</summary>
public sealed record Layer(string Namespace, params string[] MayUse);

/// <summary>A reference from a type of one layer to a type of a layer it may not use.</summary>
public sealed record UpwardReference(string From, string To)
{
    public override string ToString() => $"{From} -> {To}";
}

/// <summary>
/// Finds the references between layers of an assembly by reflection: base types, interfaces, generic constraints,
/// attributes, fields, signatures, and every type, method and field token in method bodies. A type belongs to the
/// layer of its namespace (nested and compiler-generated types to their outermost type's).
/// </summary>
public static class LayerChecker
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every reference from a type in one of <paramref name="layers"/> to a type of another layer it may not use.
    /// Types outside <paramref name="layers"/> whose namespace starts with <paramref name="scope"/> are reported as unknown folders.</summary>
    public static (List<UpwardReference> Upward, List<string> UnknownNamespaces) Check(Assembly assembly, string scope, IReadOnlyList<Layer> layers)
    {
        var byNamespace = layers.ToDictionary(l => l.Namespace);
        var upward = new List<UpwardReference>();
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Type type in assembly.GetTypes())
        {
            string? from = NamespaceOf(type);
            if (from is null || !InScope(from, scope)) continue;
            if (!byNamespace.TryGetValue(from, out Layer? layer))
            {
                unknown.Add(from);
                continue;
            }
            foreach (Type used in References(type).Distinct())
            {
                if (used.Assembly != assembly) continue;
                string? to = NamespaceOf(used);
                if (to is null || to == from || !InScope(to, scope) || layer.MayUse.Contains(to)) continue;
                upward.Add(new UpwardReference($"{Outermost(type).FullName}", $"{Outermost(used).FullName}"));
            }
        }
        return (upward.Distinct().OrderBy(u => u.From).ThenBy(u => u.To).ToList(), unknown.ToList());
    }

    /// <summary>The namespaces of the types outside <paramref name="assembly"/> that types of <paramref name="ns"/> use.</summary>
    public static SortedSet<string> ExternalNamespacesUsedBy(Assembly assembly, string ns)
    {
        var used = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Type type in assembly.GetTypes().Where(t => NamespaceOf(t) == ns))
            foreach (Type t in References(type))
                if (t.Assembly != assembly && t.Namespace is { } n) used.Add(n);
        return used;
    }

    private static bool InScope(string ns, string scope) => ns == scope || ns.StartsWith(scope + ".", StringComparison.Ordinal);

    private static Type Outermost(Type t)
    {
        while (t.DeclaringType is { } outer) t = outer;
        return t;
    }

    private static string? NamespaceOf(Type t) => Outermost(t).Namespace;

    /// <summary>The types <paramref name="type"/> mentions, element and generic argument types included.</summary>
    public static IEnumerable<Type> References(Type type)
    {
        var found = new List<Type>();
        void Add(Type? t)
        {
            if (t is null) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (t.IsGenericParameter)
            {
                foreach (Type c in t.GetGenericParameterConstraints()) Add(c);
                return;
            }
            found.Add(t.IsGenericType ? t.GetGenericTypeDefinition() : t);
            if (t.IsGenericType) foreach (Type a in t.GetGenericArguments()) Add(a);
        }
        void AddAttributes(IEnumerable<CustomAttributeData> attributes)
        {
            foreach (CustomAttributeData a in attributes)
            {
                Add(a.AttributeType);
                foreach (CustomAttributeTypedArgument arg in a.ConstructorArguments.Concat(a.NamedArguments.Select(n => n.TypedValue)))
                    if (arg.Value is Type t) Add(t);
            }
        }
        void AddMethod(MethodBase m)
        {
            Add(m.DeclaringType);
            if (m is MethodInfo mi)
            {
                Add(mi.ReturnType);
                if (mi.IsGenericMethod) foreach (Type a in mi.GetGenericArguments()) Add(a);
            }
            foreach (ParameterInfo p in m.GetParameters()) Add(p.ParameterType);
        }

        Add(type.BaseType);
        foreach (Type i in type.GetInterfaces()) Add(i);
        if (type.IsGenericTypeDefinition) foreach (Type a in type.GetGenericArguments()) Add(a);
        AddAttributes(type.CustomAttributes);
        foreach (FieldInfo f in type.GetFields(Everything)) { Add(f.FieldType); AddAttributes(f.CustomAttributes); }
        foreach (PropertyInfo p in type.GetProperties(Everything)) { Add(p.PropertyType); AddAttributes(p.CustomAttributes); }
        foreach (MethodBase m in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            AddMethod(m);
            AddAttributes(m.CustomAttributes);
            if (m is MethodInfo { IsGenericMethodDefinition: true } g) foreach (Type a in g.GetGenericArguments()) Add(a);
            foreach (MemberInfo used in BodyReferences(m))
            {
                switch (used)
                {
                    case Type t: Add(t); break;
                    case MethodBase callee: AddMethod(callee); break;
                    case FieldInfo field: Add(field.DeclaringType); Add(field.FieldType); break;
                }
            }
        }
        return found;
    }

    /// <summary>The types, methods and fields whose tokens the IL of <paramref name="method"/> uses.</summary>
    private static IEnumerable<MemberInfo> BodyReferences(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            OpCode op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: i += 1; break;
                case OperandType.InlineVar: i += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: i += 8; break;
                case OperandType.InlineSwitch: i += 4 + 4 * BitConverter.ToInt32(il, i); break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    yield return method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs)!;
                    i += 4;
                    break;
                default: i += 4; break; // InlineI, InlineBrTarget, InlineString, InlineSig, ShortInlineR
            }
        }
    }
}
