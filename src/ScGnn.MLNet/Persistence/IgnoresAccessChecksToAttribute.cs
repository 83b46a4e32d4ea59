// CoreCLR skips access checks from this assembly into the named ones; the compiler sees publicized copies
// (build/Publicize.targets). This is what lets our transformers save and load like ML.NET's own.
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices
{
    /// <summary>Recognized by CoreCLR: lets this assembly use non-public members of the named assembly.</summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute : Attribute
    {
        /// <summary>Creates the attribute for one assembly's simple name.</summary>
        public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

        /// <summary>The simple name of the assembly whose access checks are skipped.</summary>
        public string AssemblyName { get; }
    }
}
