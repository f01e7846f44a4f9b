namespace CoConstruisons.Domain.Campaigns;

/// <summary>The words of one tone: the invitation (nudge) and the first greeting, in French and English.</summary>
public sealed record ToneMessages(string NudgeFr, string NudgeEn, string GreetingFr, string GreetingEn)
{
    public const int MaxLength = 500;

    public string Nudge(bool english) => english ? NudgeEn : NudgeFr;

    public string Greeting(bool english) => english ? GreetingEn : GreetingFr;
}

/// <summary>The message sets owners start from (and may edit per campaign).</summary>
public static class DefaultMessages
{
    public static IReadOnlyDictionary<Tone, ToneMessages> All { get; } = new Dictionary<Tone, ToneMessages>
    {
        [Tone.Neutral] = new(
            "Une nouvelle question vous attend.",
            "A new question is waiting for you.",
            "Bonjour, je suis Cobot, l'assistant du projet.",
            "Hello, I'm Cobot, the project's assistant."),
        [Tone.Playful] = new(
            "Une petite image pour la route ? :camera_with_flash:",
            "One little image for the road? :camera_with_flash:",
            "Coucou ! Je suis Cobot :wave: et j'ai des images à vous montrer.",
            "Hi there! I'm Cobot :wave: and I have images to show you."),
        [Tone.Impact] = new(
            "Une minute pour le solaire ? Chaque réponse aide à repérer les toits bien orientés. :sunny:",
            "A minute for solar power? Every answer helps find well-oriented roofs. :sunny:",
            "Bonjour, je suis Cobot :wave: chaque réponse que vous donnez aide un service public.",
            "Hello, I'm Cobot :wave: every answer you give helps a public service."),
    };
}

/// <summary>
/// How one project invites the contributors of one channel (id = "{projectId:N}:{channel}"):
/// rhythm and the message set of each tone. Owners edit it; every change bumps <see cref="Version"/>.
/// </summary>
public sealed class Campaign
{
    public required string Id { get; set; }
    public Guid ProjectId { get; set; }
    public required string Channel { get; set; }
    public CampaignRules Rules { get; set; } = new();
    public Dictionary<Tone, ToneMessages> Messages { get; set; } = new(DefaultMessages.All);
    public int Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";

    public static string IdFor(Guid projectId, string channel) => $"{projectId:N}:{channel}";

    /// <summary>The campaign a project has before its owner changes anything.</summary>
    public static Campaign Default(Guid projectId, string channel) =>
        new() { Id = IdFor(projectId, channel), ProjectId = projectId, Channel = channel };

    public ToneMessages MessagesFor(Tone tone) =>
        Messages.TryGetValue(tone, out var messages) ? messages : DefaultMessages.All[tone];
}
