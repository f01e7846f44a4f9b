using System.Globalization;

namespace CoConstruisons.Gateways.Slack;

/// <summary>Everything Cobot says, French first (English too), in one of three tones.</summary>
public sealed class CobotTexts(bool english, Tone tone)
{
    public const string ConsentVersion = "slack-1";

    /// <summary>Answers-per-day counts that earn a word of thanks.</summary>
    public static readonly int[] Milestones = [5, 12, 25, 50, 100];

    public bool English { get; } = english;

    public Tone Tone { get; } = tone;

    private string T(string fr, string en) => English ? en : fr;

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The consent notice, after the greeting the platform chose (campaign's tone, or an experiment's).</summary>
    public string ConsentNotice(string greeting, string projectTitle) => greeting + "\n" + T(
        $"Je suis l'assistant du projet *{projectTitle}*. "
        + "De temps en temps, je vous montre une image et vous pose une question simple. Vos réponses servent à entraîner une IA d'intérêt public.\n"
        + "• Vous restez pseudonyme : la plateforme ne garde qu'une empreinte chiffrée de votre identifiant Slack, jamais votre nom.\n"
        + "• Vos réponses sont stockées et peuvent être publiées sous forme agrégée.\n"
        + "• Vous pouvez arrêter à tout moment : bouton « Stop » ou `/cobot stop`.",
        $"I'm the assistant of the project *{projectTitle}*. "
        + "Now and then I show you an image and ask a simple question. Your answers train a public-interest AI.\n"
        + "• You stay pseudonymous: the platform keeps only an encrypted fingerprint of your Slack id, never your name.\n"
        + "• Your answers are stored and may be published in aggregate.\n"
        + "• You can stop at any time: the \"Stop\" button or `/cobot stop`.");

    public string Accept => T("J'accepte", "I agree");

    public string Decline => T("Non merci", "No thanks");

    public string Stop => T("Stop", "Stop");

    public string DontKnow => T("Je ne sais pas", "I don't know");

    public string StartButton => T("Répondre à une question", "Answer a question");

    public string ConsentAccepted => T("Merci ! C'est parti. :rocket:", "Thank you! Here we go. :rocket:");

    public string ConsentDeclined => T(
        "Pas de souci, je ne vous écrirai pas. Tapez `/cobot` si vous changez d'avis.",
        "No problem, I won't write to you. Type `/cobot` if you change your mind.");

    public string Stopped => T(
        "C'est noté : je ne vous pose plus de questions et ne vous relance plus. Merci pour votre aide ! Tapez `/cobot` pour reprendre un jour.",
        "Noted: no more questions and no more reminders. Thank you for your help! Type `/cobot` to come back one day.");

    public string StopAcknowledged => T("C'est noté, Cobot s'arrête pour vous.", "Noted, Cobot stops for you.");

    public string OpeningDirectMessage => T("Je vous écris en message privé. :envelope:", "I'm writing to you in a direct message. :envelope:");

    public string Busy => T("Cobot a trop de demandes en ce moment : réessayez dans une minute.", "Cobot has too many requests right now: please try again in a minute.");

    public string Help => T(
        "`/cobot` : recevoir une question · `/cobot stop` : ne plus rien recevoir · `/cobot données` : télécharger ou effacer vos données · `/cobot aide` : cette aide.",
        "`/cobot`: get a question · `/cobot stop`: receive nothing more · `/cobot data`: download or erase your data · `/cobot help`: this help.");

    public string MyData(string url) => T(
        $"Vos données (vos réponses, votre consentement) sont enregistrées sous un pseudonyme. <{url}|Ouvrez cette page> (lien valable une heure), acceptez la notice, puis rubrique « Mes données » : vous pouvez les télécharger ou les effacer. Ou effacez-les d'ici avec le bouton ci-dessous.",
        $"Your data (your answers, your consent) is stored under a pseudonym. <{url}|Open this page> (link valid for one hour), accept the notice, then \"My data\": you can download or erase it. Or erase it from here with the button below.");

    public string EraseButton => T("Effacer mes données", "Erase my data");

    public string EraseConfirmTitle => T("Effacer vos données ?", "Erase your data?");

    public string EraseConfirmText => T(
        "Votre consentement, vos statistiques et ce que Cobot retient de vous seront supprimés ; vos réponses resteront, sans lien avec vous. C'est définitif.",
        "Your consent, your statistics and what Cobot remembers about you will be deleted; your answers stay, with no link to you. This cannot be undone.");

    public string EraseConfirm => T("Effacer", "Erase");

    public string EraseDeny => T("Annuler", "Cancel");

    public string Erased(int answers) => T(
        $"C'est fait : vos données sont effacées ({answers} {(answers < 2 ? "réponse gardée" : "réponses gardées")} sans lien avec vous). Cobot ne vous écrira plus, sauf si vous revenez avec `/cobot`.",
        $"Done: your data is erased ({answers} {(answers == 1 ? "answer" : "answers")} kept with no link to you). Cobot will not write to you again unless you come back with `/cobot`.");

    public string NothingLeft => T(
        "Merci ! Il n'y a plus d'image à étiqueter pour vous en ce moment. :tada:",
        "Thank you! There is no image left for you right now. :tada:");

    public string ImageAlt => T("Image à étiqueter", "Image to label");

    public string YourAnswer(string label) => T($":white_check_mark: Votre réponse : *{label}*", $":white_check_mark: Your answer: *{label}*");

    public string AnswerNotRecorded(string reason) => T($":warning: Réponse non enregistrée : {reason}", $":warning: Answer not recorded: {reason}");

    public string PlatformUnavailable => T(
        "La plateforme ne répond pas pour l'instant ; réessayez dans un moment avec `/cobot`.",
        "The platform is not answering right now; try again in a moment with `/cobot`.");

    public string NotActive => T(
        "Vous n'avez pas (ou plus) accepté de participer : tapez `/cobot` pour (re)commencer.",
        "You have not agreed to take part (or you stopped): type `/cobot` to start.");

    public string TodayCount(int today, int total) => T(
        $"Aujourd'hui : {N(today)} · en tout : {N(total)}",
        $"Today: {N(today)} · in total: {N(total)}");

    public string Streak(int days) => days < 2 ? "" : Tone switch
    {
        Tone.Playful => T($":fire: {N(days)} jours d'affilée, quelle régularité !", $":fire: {N(days)} days in a row, what a streak!"),
        Tone.Impact => T($":fire: {N(days)} jours d'affilée : chaque jour, la carte s'affine.", $":fire: {N(days)} days in a row: every day the map gets sharper."),
        _ => T($"{N(days)} jours d'affilée.", $"{N(days)} days in a row."),
    };

    /// <summary>A word of thanks when today's count hits a milestone; empty otherwise.</summary>
    public string Milestone(int answersToday)
    {
        if (!Milestones.Contains(answersToday))
        {
            return "";
        }

        var n = N(answersToday);
        return Tone switch
        {
            Tone.Playful => T($":tada: {n} toits aujourd'hui ! Vous êtes inarrêtable.", $":tada: {n} roofs today! You're unstoppable."),
            Tone.Impact => T(
                $":sunny: {n} toits aujourd'hui — de quoi cartographier votre rue au soleil.",
                $":sunny: {n} roofs today — enough to map your street in the sun."),
            _ => T($"{n} réponses aujourd'hui. Merci.", $"{n} answers today. Thank you."),
        };
    }

    public string NudgeButton(int questions) => questions <= 1
        ? T("Une question", "One question")
        : T($"{N(questions)} questions", $"{N(questions)} questions");

    public string StopAnyTime => T("Pour ne plus recevoir d'invitation : « Stop » ou `/cobot stop`.", "To receive no more invitations: \"Stop\" or `/cobot stop`.");

    public string SeriesDone => T("Merci, c'est tout pour cette fois ! :pray:", "Thank you, that's all for this time! :pray:");

    public string OneMore => T("Encore une", "One more");

    public string HomeTitle(string projectTitle) => T($"Cobot — {projectTitle}", $"Cobot — {projectTitle}");

    public string HomeStats(int total, int today, int streak) => T(
        $"*Vos contributions* : {N(total)} réponses, dont {N(today)} aujourd'hui" + (streak >= 2 ? $" · série de {N(streak)} jours" : ""),
        $"*Your contributions*: {N(total)} answers, {N(today)} of them today" + (streak >= 2 ? $" · {N(streak)}-day streak" : ""));

    public string HomeWebLink(string url) => T(
        $"Sur un grand écran ? <{url}|Continuez sur la page web> : vos réponses y comptent comme ici (lien valable une heure).",
        $"On a big screen? <{url}|Continue on the web page>: your answers count there as here (link valid for one hour).");

    public string HomeProject(int remaining) => T(
        $"*Le projet* : encore {N(remaining)} images à étiqueter.",
        $"*The project*: {N(remaining)} images still to label.");

    public string HomeInactive => T(
        "Vous ne participez pas en ce moment. Appuyez sur le bouton pour commencer ; vous pourrez arrêter à tout moment.",
        "You are not taking part at the moment. Press the button to start; you can stop at any time.");
}
