using System.Net;
using System.Net.Sockets;
using Npgsql;
using Platform.Stacks.Data;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// The rendered pg_hba.conf on a real PostgreSQL: the superuser logs in over TCP from the loopback address only (the
/// restore and major-upgrade scripts' one-shots run in PostgreSQL's network namespace), never from another address, even
/// with its right password; an app role still logs in from there.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PostgresSuperuserTcpTests
{
    private static async Task<string> WhoAmIAsync(string host, int port, string user, string password)
    {
        var cs = new NpgsqlConnectionStringBuilder
        {
            Host = host, Port = port, Database = "postgres", Username = user, Password = password, Pooling = false, Timeout = 10,
        }.ConnectionString;
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT current_user || '@' || host(inet_client_addr())", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// A one-connection-at-a-time TCP relay whose connections to the server come from <paramref name="source"/> (the kernel
    /// would pick 127.0.0.1 for any loopback destination): what the server sees as the client's address.
    /// </summary>
    private static async Task RelayAsync(TcpListener listener, IPAddress source, int serverPort, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            using var client = await listener.AcceptTcpClientAsync(ct);
            using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            upstream.Bind(new IPEndPoint(source, 0));
            await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, serverPort), ct);
            await using var up = new NetworkStream(upstream, ownsSocket: false);
            var down = client.GetStream();
            var a = down.CopyToAsync(up, ct);
            var b = up.CopyToAsync(down, ct);
            await Task.WhenAny(a, b);
        }
    }

    [Fact]
    public async Task The_superuser_is_refused_over_tcp_from_any_address_but_loopback()
    {
        await using var pg = await PostgresServer.StartAsync();
        var appPassword = Secrets.NewPassword();
        await pg.PsqlAsync($"CREATE ROLE shop LOGIN PASSWORD '{Scram.Verifier(appPassword, "shop")}';");

        // 127.0.0.2 is not the loopback address pg_hba.conf names (127.0.0.1/32): it stands for a container on a data network.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var relay = Task.Run(() => RelayAsync(listener, IPAddress.Parse("127.0.0.2"), pg.Port, stop.Token));
        var relayPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        try
        {
            Assert.Equal("postgres@127.0.0.1", await WhoAmIAsync("127.0.0.1", pg.Port, PostgresConfig.Superuser, pg.SuperuserPassword));
            var refused = await Assert.ThrowsAsync<PostgresException>(() => WhoAmIAsync("127.0.0.1", relayPort, PostgresConfig.Superuser, pg.SuperuserPassword));
            Assert.Equal(PostgresErrorCodes.InvalidAuthorizationSpecification, refused.SqlState);
            Assert.Contains("pg_hba.conf rejects connection", refused.MessageText, StringComparison.Ordinal);
            Assert.Contains("127.0.0.2", refused.MessageText, StringComparison.Ordinal);
            Assert.Equal("shop@127.0.0.2", await WhoAmIAsync("127.0.0.1", relayPort, "shop", appPassword));
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            try { await relay; } catch (OperationCanceledException) { } catch (ObjectDisposedException) { } catch (SocketException) { }
        }
    }
}
