using CoConstruisons.Application.Common.Behaviours;
using CoConstruisons.Application.Contributors;
using CoConstruisons.Application.Images.AddImages;
using FluentValidation;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

public static class ApplicationServices
{
    /// <summary>Mediator (handlers, then behaviours in this order: logging, validation), validators and application services.</summary>
    public static IServiceCollection AddApplication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMediator(options =>
        {
            options.Namespace = "CoConstruisons.Application.Mediator";
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies = [typeof(ApplicationServices)];
            options.PipelineBehaviors = [typeof(LoggingBehaviour<,>), typeof(ValidationBehaviour<,>)];
        });
        // Singletons: a validator's rules are built once (building them on every request was a tenth
        // of the task service's allocations under load); messages are worded per call (culture).
        services.AddValidatorsFromAssemblyContaining<ContributorResolver>(ServiceLifetime.Singleton, includeInternalTypes: true);
        services.AddScoped<ContributorResolver>();
        services.AddSingleton<CoConstruisons.Application.Common.RateLimiter>();
        services.AddSingleton<CoConstruisons.Application.Consensus.ConsensusCache>();
        services.AddSingleton<CoConstruisons.Application.Tasks.TaskReadCache>();
        services.AddSingleton<CoConstruisons.Application.Tasks.CandidateCache>();
        services.AddSingleton<CoConstruisons.Application.Tasks.AnswerWriter>();
        services.AddSingleton<CoConstruisons.Application.Tasks.TaskDispenser>();
        services.AddSingleton<CoConstruisons.Application.Contributors.ChatConsent>();
        services.Configure<CoConstruisons.Application.Common.RateLimitOptions>(configuration.GetSection("RateLimits"));
        services.Configure<UploadLimits>(configuration.GetSection("Uploads"));
        services.Configure<CoConstruisons.Application.Images.TileImportJobs.ImportOptions>(configuration.GetSection("Imports"));
        services.AddSingleton<CoConstruisons.Application.Images.TileImportJobs.TileImportSignal>();
        services.AddScoped<CoConstruisons.Application.Images.TileImportJobs.TileImportRunner>();
        services.Configure<CoConstruisons.Application.Models.ModelOptions>(configuration.GetSection("Model"));
        services.AddSingleton(TimeProvider.System);
        return services;
    }
}
