// A model's kernel (the merged code or a variant overriding its functions) is built anew in every execution:
// its (ControlledRuntime, config) constructor is compiled once per kernel type, not invoked by reflection each time.
using System.Linq.Expressions;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Kernel;

/// <summary>The (<see cref="ControlledRuntime"/>, <typeparamref name="TConfig"/>) constructor of
/// <typeparamref name="TKernel"/>, compiled on first use.</summary>
internal static class KernelConstructor<TKernel, TConfig>
{
    public static readonly Func<ControlledRuntime, TConfig, TKernel> New = Compile();

    private static Func<ControlledRuntime, TConfig, TKernel> Compile()
    {
        var ctor = typeof(TKernel).GetConstructor(
                System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic,
                [typeof(ControlledRuntime), typeof(TConfig)])
            ?? throw new InvalidOperationException($"{typeof(TKernel).Name} needs a ({nameof(ControlledRuntime)}, {typeof(TConfig).Name}) constructor");
        var rt = Expression.Parameter(typeof(ControlledRuntime), "rt");
        var config = Expression.Parameter(typeof(TConfig), "config");
        return Expression.Lambda<Func<ControlledRuntime, TConfig, TKernel>>(Expression.New(ctor, rt, config), rt, config).Compile();
    }
}
