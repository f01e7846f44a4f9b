using CoConstruisons.Application.Projects;
using CoConstruisons.Application.Projects.ListItems;
using CoConstruisons.Contracts.V1;
using DomainChoice = CoConstruisons.Domain.Projects.Choice;
using DomainSettings = CoConstruisons.Domain.Projects.ProjectSettings;

namespace CoConstruisons.Api.Services;

/// <summary>Proto ⇄ application mapping, in one place.</summary>
public static class ContractMapping
{
    public static DomainSettings ToDomain(ProjectSettings? s) => s is null
        ? new DomainSettings("", "", "", [], false, "", 0)
        : new DomainSettings(
            s.Title, s.Description, s.Question,
            s.Choices.Select((c, i) => new DomainChoice(string.IsNullOrWhiteSpace(c.Key) ? KeyFor(c.Label, i) : c.Key, c.Label)).ToList(),
            s.AllowDontKnow, s.Instructions, s.AnswersPerItem,
            s.MinAnswersPerItem == 0 ? Math.Min(2, Math.Max(1, s.AnswersPerItem)) : s.MinAnswersPerItem,
            s.ConfidenceTarget == 0 ? 0.95 : s.ConfidenceTarget,
            s.AutoLabelPrecision == 0 ? DomainSettings.DefaultAutoLabelPrecision : s.AutoLabelPrecision,
            s.HasModelPriorWeight ? s.ModelPriorWeight : DomainSettings.DefaultModelPriorWeight,
            string.IsNullOrWhiteSpace(s.Language) ? DomainSettings.DefaultLanguage : s.Language.Trim());

    /// <summary>A stable key from a label when the client sent none: "Nord–sud" → "nord_sud".</summary>
    public static string KeyFor(string label, int index)
    {
        var normalized = label.Normalize(System.Text.NormalizationForm.FormD);
        var chars = normalized
            .Where(ch => System.Globalization.CharUnicodeInfo.GetUnicodeCategory(ch) != System.Globalization.UnicodeCategory.NonSpacingMark)
            .Select(ch => char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '_')
            .ToArray();
        var key = string.Join('_', new string(chars).Split('_', StringSplitOptions.RemoveEmptyEntries));
        key = key.Length > 40 ? key[..40] : key;
        return key.Length == 0 || key == DomainChoice.DontKnowKey ? $"choice_{index + 1}" : key;
    }

    public static ProjectSettings ToContract(DomainSettings s)
    {
        var settings = new ProjectSettings
        {
            Title = s.Title,
            Description = s.Description,
            Question = s.Question,
            AllowDontKnow = s.AllowDontKnow,
            Instructions = s.Instructions,
            AnswersPerItem = s.AnswersPerItem,
            MinAnswersPerItem = s.MinAnswersPerItem,
            ConfidenceTarget = s.ConfidenceTarget,
            AutoLabelPrecision = s.AutoLabelPrecision,
            ModelPriorWeight = s.ModelPriorWeight,
            Language = s.Language,
        };
        settings.Choices.AddRange(s.Choices.Select(ToContract));
        return settings;
    }

    public static Choice ToContract(DomainChoice c) => new() { Key = c.Key, Label = c.Label };

    public static Project ToContract(ProjectSummary summary)
    {
        var project = new Project
        {
            Id = summary.Project.Id.ToString(),
            Settings = ToContract(summary.Project.Settings),
            ItemCount = summary.ItemCount,
            AnswerCount = summary.AnswerCount,
            CompletedItemCount = summary.CompletedItemCount,
            CreatedAtUnix = summary.Project.CreatedAt.ToUnixTimeSeconds(),
            PublicPath = $"/#/label/{summary.Project.Id}",
        };
        project.OwnerEmails.AddRange(summary.OwnerEmails);
        return project;
    }

    public static ItemSummary ToContract(ItemRow row, string baseUrl)
    {
        var item = new ItemSummary
        {
            Id = row.Item.Id.ToString(),
            FileName = row.Item.FileName,
            ThumbnailUrl = ImageUrls.Thumbnail(baseUrl, row.Item.Id),
            ImageUrl = ImageUrls.Original(baseUrl, row.Item.Id),
            AnswerCount = row.Progress?.AnswerCount ?? 0,
            AnswersWanted = row.AnswersWanted,
            Label = row.Progress?.Label ?? "",
            Confidence = row.Progress?.Confidence ?? 0,
            Retired = row.Progress?.Retired ?? false,
        };
        if (row.Progress is not null)
        {
            item.Votes.Add(row.Progress.Votes);
        }

        return item;
    }

    public static ContributorStats ToContract(CoConstruisons.Application.Tasks.ContributorStats stats) => new()
    {
        Answers = stats.Answers,
        AnswersToday = stats.AnswersToday,
        ItemsRemaining = stats.ItemsRemaining,
    };
}

public static class ImageUrls
{
    public static string Original(string baseUrl, Guid itemId) => $"{baseUrl}/images/{itemId}";

    public static string Thumbnail(string baseUrl, Guid itemId) => $"{baseUrl}/images/{itemId}/thumbnail";
}
