namespace CoConstruisons.Api.Infrastructure;

/// <summary>The address people and gateways reach the portal at (setting PublicBaseUrl), for absolute image links.</summary>
public sealed class PublicUrls(IConfiguration configuration)
{
    public string BaseUrl { get; } = (configuration["PublicBaseUrl"] ?? "http://127.0.0.1:8000").TrimEnd('/');
}
