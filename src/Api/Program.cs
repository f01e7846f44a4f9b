using CoConstruisons.Api;

var app = ApiHost.Build(args);
await app.InitializeAsync();
await app.RunAsync();

/// <summary>Entry point type, visible to tests.</summary>
public partial class Program;
