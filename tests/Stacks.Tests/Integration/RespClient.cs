using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Platform.Stacks.Tests.Integration;

/// <summary>
/// A minimal RESP2 client over one TCP connection, to speak to Redis exactly as a client library does (one connection
/// kept open across commands, blocking pops, subscriptions). Replies come back as text: a simple string or bulk as
/// itself, an error as <c>-ERR …</c>, an integer as its digits, nil as <c>(nil)</c>, an array as its items.
/// </summary>
public sealed class RespClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[65536];
    private int _start;
    private int _end;

    private RespClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RespClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RespClient(tcp);
    }

    /// <summary>Sends one command and reads its reply.</summary>
    public async Task<RespReply> CallAsync(params string[] args)
    {
        await SendAsync(args);
        return await ReadAsync(TimeSpan.FromSeconds(15));
    }

    public async Task SendAsync(params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (var a in args)
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(a).ToString(CultureInfo.InvariantCulture)).Append("\r\n").Append(a).Append("\r\n");
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        await _stream.WriteAsync(bytes);
    }

    /// <summary>Reads the next reply (e.g. a message on a subscribed connection); throws on timeout or a closed connection.</summary>
    public async Task<RespReply> ReadAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await ReadReplyAsync(cts.Token);
    }

    private async Task<RespReply> ReadReplyAsync(CancellationToken ct)
    {
        var line = await ReadLineAsync(ct);
        var rest = line[1..];
        switch (line[0])
        {
            case '+': return new RespReply(rest, false, null);
            case '-': return new RespReply(rest, true, null);
            case ':': return new RespReply(rest, false, null);
            case '$':
            {
                var n = int.Parse(rest, CultureInfo.InvariantCulture);
                if (n < 0) return new RespReply("(nil)", false, null);
                var data = await ReadBytesAsync(n + 2, ct);
                return new RespReply(Encoding.UTF8.GetString(data, 0, n), false, null);
            }
            case '*':
            {
                var n = int.Parse(rest, CultureInfo.InvariantCulture);
                if (n < 0) return new RespReply("(nil)", false, null);
                var items = new List<RespReply>();
                for (var i = 0; i < n; i++) items.Add(await ReadReplyAsync(ct));
                return new RespReply(string.Join(' ', items.Select(x => x.Text)), false, items);
            }
            default: throw new InvalidDataException($"Unexpected RESP line '{line}'.");
        }
    }

    private async Task Fill(CancellationToken ct)
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        var n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
        if (n == 0) throw new EndOfStreamException("Redis closed the connection.");
        _end += n;
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            for (var i = _start; i + 1 < _end; i++)
            {
                if (_buffer[i] == '\r' && _buffer[i + 1] == '\n')
                {
                    var line = Encoding.UTF8.GetString(_buffer, _start, i - _start);
                    _start = i + 2;
                    return line;
                }
            }
            await Fill(ct);
        }
    }

    private async Task<byte[]> ReadBytesAsync(int n, CancellationToken ct)
    {
        while (_end - _start < n) await Fill(ct);
        var data = _buffer.AsSpan(_start, n).ToArray();
        _start += n;
        return data;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A reply: its text, whether it is an error, and an array's items.</summary>
public sealed record RespReply(string Text, bool IsError, IReadOnlyList<RespReply>? Items)
{
    public override string ToString() => IsError ? "-" + Text : Text;
}
