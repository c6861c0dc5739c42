using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Pulumi;

namespace Platform.Infra.Tests.Support;

/// <summary>
/// One resource as the SDK registered it with the engine: its type and name, its parent's, and the resources it depends on
/// (the request's <c>dependencies</c>: explicit <c>DependsOn</c> and every resource an input's outputs come from, components
/// expanded to their custom children, as the SDK computes them) and its explicit provider, each as (type, name).
/// </summary>
public sealed record RegisteredResource(string Type, string Name, (string Type, string Name)? Parent, ImmutableHashSet<(string Type, string Name)> Dependencies,
    (string Type, string Name)? Provider, bool Custom)
{
    /// <summary>The parent's URN as the SDK sent it; empty for a resource at the stack's root.</summary>
    public string ParentUrn { get; init; } = "";

    /// <summary>The whole request as the SDK sent it (its protobuf JSON form): inputs, options, dependencies and aliases.</summary>
    public string RequestJson { get; init; } = "";
}

/// <summary>
/// Sits between the SDK and Pulumi's mock monitor and records each <c>RegisterResourceRequest</c> it forwards: what the
/// engine would be told about the dependency graph. The mocks (<see cref="Pulumi.Testing.IMocks"/>) see only type, name and
/// inputs, so the request is read here. The monitor is internal to the SDK (Pulumi 3.112.1: <c>Deployment.Monitor</c>, an
/// <c>IMonitor</c>); <see cref="DispatchProxy"/> implements that interface, and <see cref="Install"/> swaps it in at the start
/// of the program, before the program registers anything.
/// </summary>
public class DependencySpy : DispatchProxy
{
    private object _inner = null!;
    private ConcurrentQueue<RegisteredResource> _seen = null!;

    /// <summary>Replaces the current deployment's monitor with a spy that records into <paramref name="seen"/>.</summary>
    public static void Install(ConcurrentQueue<RegisteredResource> seen)
    {
        var internalInstance = typeof(Deployment).GetProperty("InternalInstance", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("Pulumi's Deployment.InternalInstance is gone: update DependencySpy for this SDK version.");
        var deployment = internalInstance.GetValue(null) as Deployment
            ?? throw new InvalidOperationException("The current deployment is not Pulumi's Deployment.");
        var field = typeof(Deployment).GetField("<Monitor>k__BackingField", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("Pulumi's Deployment.Monitor is gone: update DependencySpy for this SDK version.");
        var monitorType = typeof(Deployment).Assembly.GetType("Pulumi.IMonitor", throwOnError: true)!;
        var spy = (DependencySpy)DispatchProxy.Create(monitorType, typeof(DependencySpy));
        spy._inner = field.GetValue(deployment)!;
        spy._seen = seen;
        field.SetValue(deployment, spy);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == "RegisterResourceAsync" && args is [_, { } request]) _seen.Enqueue(Read(request));
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static RegisteredResource Read(object request)
    {
        T Get<T>(string property) => (T)request.GetType().GetProperty(property)!.GetValue(request)!;
        var dependencies = Get<IEnumerable<string>>("Dependencies").Select(FromUrn).ToImmutableHashSet();
        var parent = Get<string>("Parent");
        var provider = Get<string>("Provider");
        return new RegisteredResource(Get<string>("Type"), Get<string>("Name"), parent.Length == 0 ? null : FromUrn(parent), dependencies,
            // A provider reference is "<urn>::<id>".
            provider.Length == 0 ? null : FromUrn(provider[..provider.LastIndexOf("::", StringComparison.Ordinal)]), Get<bool>("Custom"))
        {
            ParentUrn = parent,
            // A protobuf message's ToString is its JSON form.
            RequestJson = request.ToString() ?? "",
        };
    }

    /// <summary>(type, name) of a URN <c>urn:pulumi:stack::project::parent$type::name</c>.</summary>
    public static (string Type, string Name) FromUrn(string urn)
    {
        var parts = urn.Split("::");
        var type = parts[2];
        return (type[(type.LastIndexOf('$') + 1)..], string.Join("::", parts[3..]));
    }
}
