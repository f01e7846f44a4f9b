using CoConstruisons.Application.Abstractions;
using CoConstruisons.Application.Common;
using CoConstruisons.Application.Projects;
using FluentValidation;
using Marten;
using Mediator;

namespace CoConstruisons.Application.Contributors;

/// <summary>
/// A contributor downloads everything the platform holds under their pseudonym (right of access):
/// their answers and skips, consent, chat engagement, experiment exposures, progress — on every
/// project, since the pseudonym is the same for one person on one channel.
/// </summary>
public sealed record ExportMyData(Guid ProjectId, ContributorCredential Contributor) : IQuery<MyDataExport>;

public sealed record MyDataExport(string ContributorId, DateTimeOffset ExportedAt, IReadOnlyList<ContributorRecord> Records)
{
    public int Answers => Records.Count(r => r.Kind == "event" && r.Type == "answer_submitted");

    /// <summary>The answers as a person reads them (project, image, the answer's label, when), oldest first; the records hold everything.</summary>
    public IReadOnlyList<AnswerInWords> AnswersInWords { get; init; } = [];
}

/// <summary>One of a contributor's answers in words, for the export.</summary>
public sealed record AnswerInWords(string Project, string Image, string Answer, DateTimeOffset AnsweredAt);

/// <summary>
/// A contributor erases their data (right to erasure): what exists only for them is deleted, and
/// their answers stay as anonymous evidence under a new random pseudonym that nothing links to
/// them, so labels already built do not change. It cannot be undone; the request must say so.
/// </summary>
public sealed record EraseMyData(Guid ProjectId, ContributorCredential Contributor, bool Confirmed) : ICommand<ErasureReport>;

public sealed class EraseMyDataValidator : AbstractValidator<EraseMyData>
{
    public EraseMyDataValidator()
    {
        RuleFor(c => c.Confirmed).Equal(true).WithMessage(_ => Texts.T(
            "L'effacement est définitif : il faut le confirmer.",
            "Erasure cannot be undone: it must be confirmed."));
    }
}

public sealed class ExportMyDataHandler(IQuerySession session, ContributorResolver resolver, IContributorDataStore data, TimeProvider clock)
    : IQueryHandler<ExportMyData, MyDataExport>
{
    public async ValueTask<MyDataExport> Handle(ExportMyData query, CancellationToken cancellationToken)
    {
        var project = await session.LoadPublicAsync(query.ProjectId, cancellationToken);
        var contributorId = resolver.Resolve(query.Contributor, project.Id).ContributorId;
        var records = await data.ExportAsync(contributorId, cancellationToken);
        return new MyDataExport(contributorId, clock.GetUtcNow(), records) { AnswersInWords = await InWords(records, cancellationToken) };
    }

    private async Task<List<AnswerInWords>> InWords(IReadOnlyList<ContributorRecord> records, CancellationToken cancellationToken)
    {
        var answers = records.Where(r => r.Kind == "event" && r.Type == "answer_submitted")
            .Select(r => System.Text.Json.JsonSerializer.Deserialize<AnswerFields>(r.Json, CaseInsensitive))
            .OfType<AnswerFields>()
            .OrderBy(a => a.SubmittedAt)
            .ToList();
        var items = (await session.LoadManyAsync<Domain.Items.Item>(cancellationToken, answers.Select(a => a.ItemId).Distinct()))
            .ToDictionary(i => i.Id);
        var projects = (await session.LoadManyAsync<Domain.Projects.Project>(cancellationToken, answers.Select(a => a.ProjectId).Distinct()))
            .ToDictionary(p => p.Id);
        return [.. answers.Select(a =>
        {
            var settings = projects.GetValueOrDefault(a.ProjectId)?.Settings;
            var answer = a.Choice == Domain.Projects.Choice.DontKnowKey
                ? Texts.T("Je ne sais pas", "Don't know")
                : settings?.Choices.FirstOrDefault(c => c.Key == a.Choice)?.Label ?? a.Choice;
            return new AnswerInWords(settings?.Title ?? a.ProjectId.ToString(), items.GetValueOrDefault(a.ItemId)?.FileName ?? a.ItemId.ToString(), answer, a.SubmittedAt);
        })];
    }

    private static readonly System.Text.Json.JsonSerializerOptions CaseInsensitive = new() { PropertyNameCaseInsensitive = true };

    private sealed record AnswerFields(Guid ItemId, Guid ProjectId, string Choice, DateTimeOffset SubmittedAt);
}

public sealed class EraseMyDataHandler(IQuerySession session, ContributorResolver resolver, IContributorDataStore data, ChatConsent consent)
    : ICommandHandler<EraseMyData, ErasureReport>
{
    public async ValueTask<ErasureReport> Handle(EraseMyData command, CancellationToken cancellationToken)
    {
        var project = await session.LoadPublicAsync(command.ProjectId, cancellationToken);
        var contributorId = resolver.Resolve(command.Contributor, project.Id).ContributorId;
        var report = await data.EraseAsync(contributorId, cancellationToken);
        consent.Forget(project.Id, contributorId); // the erasure deleted the consent with the rest
        return report;
    }
}
