using JaxToolchain.Ir;

namespace JaxToolchain;

public static partial class Jax
{
    /// <summary>
    /// Global configuration, as <c>jax.config</c>. The one switch today is <see cref="EnableX64"/>
    /// (<c>jax_enable_x64</c>): without it, requests for 64-bit dtypes give their 32-bit counterparts, exactly as
    /// JAX does, and C# <c>double</c> literals and arrays become float32.
    /// </summary>
    public static class Config
    {
        private static volatile bool _enableX64;
        private static readonly AsyncLocal<bool?> ScopedX64 = new();

        /// <summary>
        /// Enables 64-bit types (float64 becomes the default float, int64 the default int). Process-wide, as
        /// <c>jax.config.update("jax_enable_x64", True)</c>; see <see cref="X64Scope"/> for a scoped setting.
        /// </summary>
        public static bool EnableX64
        {
            get => ScopedX64.Value ?? _enableX64;
            set => _enableX64 = value;
        }

        /// <summary>
        /// Sets x64 for the current flow of execution until disposed (JAX's <c>enable_x64</c> context manager);
        /// other threads keep the process-wide setting.
        /// </summary>
        public static IDisposable X64Scope(bool enable = true)
        {
            var previous = ScopedX64.Value;
            ScopedX64.Value = enable;
            return new Restore(() => ScopedX64.Value = previous);
        }

        private sealed class Restore(Action undo) : IDisposable
        {
            public void Dispose() => undo();
        }

        /// <summary>
        /// Runs CPU executables on a background stream, returning their results as futures at once (JAX's
        /// <c>jax_cpu_enable_async_dispatch</c>). Off by default: on the CPU a synchronous call in the caller's
        /// thread is cheaper than a queue hop. Reading a result (or <see cref="Tensor.BlockUntilReady"/>) waits for
        /// it, and raises there an error of the computation that produced it.
        /// </summary>
        public static bool CpuAsyncDispatch
        {
            get => ScopedAsyncDispatch.Value ?? _cpuAsyncDispatch;
            set => _cpuAsyncDispatch = value;
        }

        private static volatile bool _cpuAsyncDispatch;
        private static readonly AsyncLocal<bool?> ScopedAsyncDispatch = new();

        /// <summary>Sets <see cref="CpuAsyncDispatch"/> for the current flow of execution until disposed; other threads keep the process-wide setting.</summary>
        public static IDisposable CpuAsyncDispatchScope(bool enable = true)
        {
            var previous = ScopedAsyncDispatch.Value;
            ScopedAsyncDispatch.Value = enable;
            return new Restore(() => ScopedAsyncDispatch.Value = previous);
        }

        /// <summary>
        /// Makes a call of a <c>[Jit]</c> method whose inputs no precompiled kernel serves an error
        /// (<see cref="Aot.PrecompiledKernelMissingException"/>) instead of a trace at run time with a one-time warning.
        /// Starts as the environment variable <c>JAX_PRECOMPILED_ONLY</c> says (<c>1</c> or <c>true</c>).
        /// </summary>
        public static bool PrecompiledOnly { get; set; } =
            Environment.GetEnvironmentVariable("JAX_PRECOMPILED_ONLY") is "1" or "true" or "True" or "TRUE";

        /// <summary>Sets a configuration option by its JAX name (<c>"jax_enable_x64"</c>, <c>"jax_cpu_enable_async_dispatch"</c>).</summary>
        public static void Update(string name, bool value)
        {
            ArgumentNullException.ThrowIfNull(name);
            switch (name)
            {
                case "jax_enable_x64": EnableX64 = value; break;
                case "jax_cpu_enable_async_dispatch": CpuAsyncDispatch = value; break;
                default: throw new ArgumentException($"unknown configuration option '{name}'", nameof(name));
            }
        }

        /// <summary>The default floating dtype: float32, or float64 with x64 enabled.</summary>
        public static DType DefaultFloat => EnableX64 ? DType.Float64 : DType.Float32;

        /// <summary>The default integer dtype: int32, or int64 with x64 enabled.</summary>
        public static DType DefaultInt => EnableX64 ? DType.Int64 : DType.Int32;

        /// <summary>The dtype actually used for a requested one (64-bit types narrow without x64).</summary>
        public static DType Canonicalize(DType dtype) => EnableX64 ? dtype : dtype switch
        {
            DType.Float64 => DType.Float32,
            DType.Int64 => DType.Int32,
            DType.UInt64 => DType.UInt32,
            _ => dtype,
        };
    }
}
