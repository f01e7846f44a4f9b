using System.Globalization;
using System.Reflection;
using Xunit.Sdk;

namespace CoConstruisons.Learning.Tests;

/// <summary>
/// Runs each test in the language of messages named (CurrentUICulture, restored after), so that the
/// texts it expects never depend on the machine's locale. Only CurrentUICulture: it flows with the
/// test's own execution (and into the Parallel.For workers it starts), whereas this assembly's test
/// classes run in parallel and DefaultThreadCurrentUICulture is one value for the whole process.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class UiCultureAttribute(string name) : BeforeAfterTestAttribute
{
    private readonly AsyncLocal<CultureInfo?> _before = new();

    public string Name { get; } = name;

    public override void Before(MethodInfo methodUnderTest)
    {
        _before.Value = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(Name);
    }

    public override void After(MethodInfo methodUnderTest)
    {
        if (_before.Value is { } before)
        {
            CultureInfo.CurrentUICulture = before;
        }
    }
}
