using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Net.Http.Headers;

namespace Market.Web.Api;

/// <summary>
/// How the API reads a request body: the media type it must declare, and one strict JSON reading for every JSON
/// body (orders, meter readings), so a rule about JSON holds for all of them at once.
/// </summary>
public static class ApiInput
{
    /// <summary>
    /// Web defaults (camelCase names, matched ignoring case), and nothing the records do not declare: no unknown
    /// member, no number in a string, no deep nesting, and no member twice. A repeated key is refused as the binder
    /// sees names, ignoring case, so <c>"energyWh":500,"EnergyWH":1</c> is a duplicate, not 1 Wh.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        MaxDepth = 8,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        AllowDuplicateProperties = false,
    };

    /// <summary>The request's media type without parameters (<c>application/json</c> for <c>application/json; charset=utf-8</c>), or null.</summary>
    /// <summary>Exactly <paramref name="bytes"/> bytes from hex (either case), or null.</summary>
    public static byte[]? Hex(string? hex, int bytes)
    {
        if (hex is null || hex.Length != bytes * 2)
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static string? MediaType(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ? type.MediaType.Value : null;
    }

    /// <summary>Whether the request declares <paramref name="mediaType"/>.</summary>
    public static bool Is(HttpRequest request, string mediaType) =>
        string.Equals(MediaType(request), mediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>415 naming what to send.</summary>
    public static IResult UnsupportedMediaType(string accepted) =>
        Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: $"Send the body as {accepted} (Content-Type header).");

    /// <summary>
    /// Reads an upload's body of at most <paramref name="max"/> bytes; null when it is longer (also a chunked body
    /// without a length), so a caller answers 413 without holding more than that.
    /// </summary>
    public static async Task<byte[]?> ReadUploadAsync(HttpRequest request, int max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > max)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Reads <paramref name="body"/> as <typeparamref name="T"/> with <see cref="Json"/>; on failure, a 400 problem
    /// whose detail says what is wrong and where (<c>$.EnergyWH</c> for a repeated key).
    /// </summary>
    public static bool TryReadJson<T>(ReadOnlySpan<byte> body, string title, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out IResult? problem)
        where T : class
    {
        problem = null;
        try
        {
            value = JsonSerializer.Deserialize<T>(body, Json);
        }
        catch (JsonException e)
        {
            value = null;
            var message = e.Message.Split(" Path:")[0];
            problem = Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: e.Path is { Length: > 1 } ? $"{message} (at {e.Path})" : message);
            return false;
        }

        if (value is null)
        {
            problem = Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: "The body must be a JSON object.");
            return false;
        }

        return true;
    }
}
