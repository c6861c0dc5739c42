using Platform.Stacks.Canonical;

namespace Platform.Stacks.Tests.Canonical;

public sealed class DockerFormsTests
{
    // Vectors of TestNanoInt64ToDecimalString in terraform-provider-docker 4.5.0,
    // internal/provider/helpers_test.go (the function Pulumi.Docker 5.1.0 reads cpus back with).
    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1000000000L, "1.0")]
    [InlineData(1500000000L, "1.5")]
    [InlineData(2000000000L, "2.0")]
    [InlineData(2250000000L, "2.25")]
    public void Cpus_from_nanos_match_the_providers_test_vectors(long nanos, string expected) =>
        Assert.Equal(expected, DockerForms.CpusFromNanos(nanos));

    // The same function's quirks, derived from its code: it counts every '0' in the nine-decimal string.
    [Theory]
    [InlineData(10.0, "10.")]      // "10.000000000" has ten zeros: trailing zeros trimmed, the point stays
    [InlineData(0.1, "0.1")]       // nine zeros: one decimal
    [InlineData(0.25, "0.25")]
    [InlineData(0.5, "0.5")]
    [InlineData(10.5, "10.5")]     // nine zeros again
    [InlineData(0.01, "0.0")]      // nine zeros, rounded to one decimal: the value is lost
    [InlineData(1.0, "1.0")]
    [InlineData(4.0, "4.0")]
    public void Cpus_are_sent_in_the_form_the_provider_reads_back(double cpus, string expected) =>
        Assert.Equal(expected, DockerForms.Cpus(cpus));

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(1.0, true)]
    [InlineData(0.25, true)]
    [InlineData(0.01, false)]
    [InlineData(0.05, false)]
    [InlineData(0.001, false)]
    public void A_cpu_value_round_trips_only_when_its_read_back_form_means_the_same_limit(double cpus, bool roundTrips) =>
        Assert.Equal(roundTrips, DockerForms.CpusRoundTrip(cpus));

    // Go's time.Duration.String(), which resourceDockerContainerRead uses for the health check's durations.
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(5, "5s")]
    [InlineData(30, "30s")]
    [InlineData(60, "1m0s")]
    [InlineData(90, "1m30s")]
    [InlineData(600, "10m0s")]
    [InlineData(3600, "1h0m0s")]
    [InlineData(3661, "1h1m1s")]
    public void Durations_are_gos_duration_strings(int seconds, string expected) =>
        Assert.Equal(expected, DockerForms.Duration(seconds));

    [Fact]
    public void Memory_swap_equals_the_memory_limit_so_the_engine_stores_what_was_sent() =>
        Assert.Equal(512, DockerForms.MemorySwapMb(512));

    [Fact]
    public void Ports_are_ordered_by_container_port_then_ipv4_before_ipv6()
    {
        var ordered = DockerForms.Ports(
        [
            new("::", 443, 443, "tcp"), new("0.0.0.0", 443, 443, "tcp"),
            new("::", 80, 80, "tcp"), new("0.0.0.0", 80, 80, "tcp"),
        ]);
        Assert.Equal(["0.0.0.0:80", ":::80", "0.0.0.0:443", ":::443"], ordered.Select(p => $"{p.HostIp}:{p.HostPort}"));
    }

    [Fact]
    public void Env_is_sorted_by_key() =>
        Assert.Equal(["A=1", "B=2", "C=3"], DockerForms.Env([new("C", "3"), new("A", "1"), new("B", "2")]).ToArray());
}

public sealed class CpuSettingTests
{
    [Theory]
    [InlineData("0.05", true)]
    [InlineData("0.01", true)]
    [InlineData("0.25", false)]
    [InlineData("1", false)]
    public void App_cpus_that_the_provider_would_read_back_as_another_limit_are_refused(string cpus, bool refused)
    {
        var text = File.ReadAllText(Path.Combine(Platform.Stacks.Tests.Support.TestStacks.RepoRoot, "Pulumi.staging.yaml"))
            .Replace("      cpus: 0.25\n", $"      cpus: {cpus}\n", StringComparison.Ordinal);
        var (_, errors) = Platform.Stacks.Settings.SettingsReader.TryRead(Platform.Stacks.Settings.StackFiles.Parse("platform", "staging", text));
        Assert.Equal(refused, errors.Any(e => e.Key == "platform:apps[0].cpus" && e.Problem.Contains("reads back", StringComparison.Ordinal)));
    }
}
