import { Code } from "@connectrpc/connect";
import type { PageContext } from "../app";
import { campaigns } from "../api";
import { CAMPAIGN_CHANNEL, campaignDraft, DAYS, hasQuietHours, MODES, TONES, toCampaign, type CampaignDraft } from "../campaign";
import { field, fieldErrors, h, liveRegion, replace, say } from "../dom";
import { errorCode, errorMessage, fieldViolations, violationsByField } from "../errors";
import { formatCount } from "../experiments";
import { getLang, hasMessage, t } from "../i18n";

/** A tone, mode or day in words; the raw value when the server sends one the portal does not know. */
function word(prefix: "tone" | "mode" | "day", value: string): string {
  const key = `campaign.${prefix}.${value}`;
  return hasMessage(key) ? t(key) : value;
}

/** Settings a project gets before its owner saves any (the server's defaults may differ: it answers with its own). */
function defaults(projectId: string): CampaignDraft {
  return campaignDraft({
    projectId,
    channel: CAMPAIGN_CHANNEL,
    enabled: false,
    maxPerDay: 1,
    maxPerWeek: 3,
    quietFrom: "20:00",
    quietUntil: "09:00",
    workingDays: ["monday", "tuesday", "wednesday", "thursday", "friday"],
    timeZone: "Europe/Paris",
    tone: "neutral",
    mode: "single",
    messages: [],
    version: 0,
  });
}

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["Europe/Paris", "America/Cayenne", "America/Guadeloupe", "America/Martinique", "Indian/Reunion", "Indian/Mayotte", "Pacific/Noumea", "Pacific/Tahiti"];
  }
}

/**
 * The Slack campaign card of a project page: its state survives the page's redraws (language
 * switch), so draw() can be called again at any time; load() reads the settings once.
 */
export function campaignSection(ctx: PageContext, projectId: string): { box: HTMLElement; draw(): void; load(): Promise<void> } {
  const box = h("div", { testid: "campaign-section" });
  let draft: CampaignDraft | undefined;
  let counters: { nudgesSent: bigint; contributorsActive: bigint } | undefined;
  let isNew = false;
  let loadError = "";
  let saveError = "";
  let saveStatus = "";
  let violations = new Map<string, string[]>();
  let busy = false;

  const errorsFor = (...keys: string[]) => keys.flatMap((k) => violations.get(k) ?? []);

  const draw = (focusSelector?: string) => {
    const lang = getLang();
    const alert = liveRegion("alert", "campaign-error");
    const status = liveRegion("status", "campaign-status");
    alert.tabIndex = -1;
    status.tabIndex = -1;
    say(alert, saveError || loadError);
    say(status, saveStatus);
    const head = [h("h2", { id: "campaign-title" }, t("campaign.title")), h("p", { class: "hint" }, t("campaign.hint"))];
    const d = draft;
    if (!d) {
      replace(box, h("section", { class: "card", "aria-labelledby": "campaign-title" }, head, loadError ? null : h("p", { class: "loading" }, t("app.loading")), alert));
      return;
    }

    const number = (key: "maxPerDay" | "maxPerWeek", testid: string) => {
      const el = h("input", { type: "number", min: 0, step: 1, inputmode: "numeric", class: "short", value: d[key], testid });
      el.addEventListener("input", () => (d[key] = el.value));
      return el;
    };
    const time = (key: "quietFrom" | "quietUntil", testid: string) => {
      const el = h("input", { type: "time", value: d[key], testid, class: "short" });
      el.addEventListener("input", () => (d[key] = el.value));
      return el;
    };
    const select = (key: "tone" | "mode", values: readonly string[], prefix: "tone" | "mode", testid: string) => {
      const options = values.includes(d[key]) || d[key] === "" ? values : [...values, d[key]];
      const el = h("select", { testid }, options.map((v) => h("option", { value: v }, word(prefix, v))));
      el.value = d[key];
      el.addEventListener("change", () => (d[key] = el.value));
      return el;
    };

    const enabled = h("input", { type: "checkbox", id: "campaign-enabled", testid: "campaign-enabled", checked: d.enabled });
    enabled.addEventListener("change", () => (d.enabled = enabled.checked));

    const daysErrors = fieldErrors("campaign-days-error", errorsFor("workingdays"));
    const days = h(
      "fieldset",
      { class: daysErrors ? "choices days invalid" : "choices days", "aria-describedby": daysErrors ? "campaign-days-error" : null },
      h("legend", null, t("campaign.workingDays")),
      daysErrors,
      h(
        "div",
        { class: "day-list" },
        DAYS.map((day) => {
          const id = `campaign-day-${day}`;
          const check = h("input", { type: "checkbox", id, testid: id, checked: d.workingDays.includes(day) });
          check.addEventListener("change", () => {
            d.workingDays = check.checked ? [...d.workingDays, day] : d.workingDays.filter((x) => x !== day);
          });
          return h("div", { class: "field checkbox" }, check, h("label", { for: id }, word("day", day)));
        }),
      ),
    );

    const zone = h("input", { type: "text", list: "campaign-zones", value: d.timeZone, testid: "campaign-timezone", autocomplete: "off", spellcheck: "false" });
    zone.addEventListener("input", () => (d.timeZone = zone.value));
    const zones = h("datalist", { id: "campaign-zones" }, timeZones().map((z) => h("option", { value: z })));

    const messagesErrors = fieldErrors("campaign-messages-error", errorsFor("messages", "tonemessages"));
    const messages = d.messages.map((m, i) => {
      const area = (key: "nudgeFr" | "nudgeEn" | "greetingFr" | "greetingEn", label: string, lang: "fr" | "en") => {
        // The server keeps at most 500 characters per message (CampaignMessages.MaxLength).
        const el = h("textarea", { rows: 2, lang, testid: `campaign-${m.tone}-${key}`, maxlength: 500 });
        el.value = m[key];
        el.addEventListener("input", () => (m[key] = el.value));
        return field(label, el);
      };
      return h(
        "details",
        { class: "tone-messages", open: i === 0 || m.tone === d.tone, testid: `campaign-messages-${m.tone}` },
        h("summary", null, t("campaign.messagesFor", { tone: word("tone", m.tone) })),
        area("nudgeFr", t("campaign.nudgeFr"), "fr"),
        area("nudgeEn", t("campaign.nudgeEn"), "en"),
        area("greetingFr", t("campaign.greetingFr"), "fr"),
        area("greetingEn", t("campaign.greetingEn"), "en"),
      );
    });

    const submit = h("button", { type: "submit", class: "button primary", testid: "campaign-save", disabled: busy }, busy ? t("form.busy") : t("campaign.save"));
    const form = h(
      "form",
      { class: "form", novalidate: true, testid: "campaign-form" },
      h("div", { class: "field checkbox" }, enabled, h("label", { for: "campaign-enabled" }, t("campaign.enabled"))),
      fieldErrors("campaign-enabled-error", errorsFor("enabled")),
      h(
        "div",
        { class: "field-row" },
        field(t("campaign.maxPerDay"), number("maxPerDay", "campaign-max-day"), { errors: errorsFor("maxperday") }),
        field(t("campaign.maxPerWeek"), number("maxPerWeek", "campaign-max-week"), { errors: errorsFor("maxperweek") }),
      ),
      h(
        "fieldset",
        { class: "choices" },
        h("legend", null, t("campaign.quietHours")),
        h("p", { class: "hint" }, hasQuietHours(d.quietFrom, d.quietUntil) ? t("campaign.quietHint") : t("campaign.noQuietHours")),
        h(
          "div",
          { class: "field-row" },
          field(t("campaign.quietFrom"), time("quietFrom", "campaign-quiet-from"), { errors: errorsFor("quietfrom", "quiethours") }),
          field(t("campaign.quietUntil"), time("quietUntil", "campaign-quiet-until"), { errors: errorsFor("quietuntil") }),
        ),
      ),
      days,
      field(t("campaign.timeZone"), zone, { hint: t("campaign.timeZoneHint"), errors: errorsFor("timezone") }),
      zones,
      h(
        "div",
        { class: "field-row" },
        field(t("campaign.tone"), select("tone", TONES, "tone", "campaign-tone"), { hint: t("campaign.toneHint"), errors: errorsFor("tone") }),
        field(t("campaign.mode"), select("mode", MODES, "mode", "campaign-mode"), { errors: errorsFor("mode") }),
      ),
      h("h3", null, t("campaign.messages")),
      h("p", { class: "hint" }, t("campaign.messagesHint")),
      messagesErrors,
      messages,
      alert,
      h("div", { class: "actions" }, submit),
      status,
    );

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      saveStatus = "";
      saveError = "";
      submit.disabled = true;
      submit.textContent = t("form.busy");
      say(alert, "");
      say(status, "");
      try {
        const saved = await campaigns.updateCampaign({ campaign: toCampaign(d) });
        if (!ctx.isCurrent()) {
          return;
        }
        draft = campaignDraft(saved);
        counters = { nudgesSent: saved.nudgesSent, contributorsActive: saved.contributorsActive };
        isNew = false;
        violations = new Map();
        saveStatus = t("campaign.saved");
      } catch (err) {
        if (ctx.handleOwnerError(err) || !ctx.isCurrent()) {
          return;
        }
        saveError = errorMessage(err);
        violations = violationsByField(fieldViolations(err));
      } finally {
        busy = false;
      }
      if (ctx.isCurrent()) {
        draw(saveError ? '[data-testid="campaign-error"]' : '[data-testid="campaign-status"]');
      }
    });

    replace(
      box,
      h(
        "section",
        { class: "card", "aria-labelledby": "campaign-title" },
        head,
        isNew ? h("p", { class: "notice", testid: "campaign-new" }, t("campaign.new")) : null,
        counters
          ? h(
              "dl",
              { class: "counters", testid: "campaign-counters" },
              h("div", null, h("dt", null, t("campaign.nudgesSent")), h("dd", { testid: "campaign-nudges-sent" }, formatCount(counters.nudgesSent, lang))),
              h("div", null, h("dt", null, t("campaign.contributorsActive")), h("dd", { testid: "campaign-contributors-active" }, formatCount(counters.contributorsActive, lang))),
            )
          : null,
        form,
      ),
    );
    if (focusSelector) {
      box.querySelector<HTMLElement>(focusSelector)?.focus();
    }
  };

  const load = async () => {
    try {
      const c = await campaigns.getCampaign({ projectId, channel: CAMPAIGN_CHANNEL });
      draft = campaignDraft(c);
      counters = { nudgesSent: c.nudgesSent, contributorsActive: c.contributorsActive };
      isNew = false;
    } catch (err) {
      if (ctx.handleOwnerError(err)) {
        return;
      }
      if (errorCode(err) === Code.NotFound) {
        // No campaign yet for this channel: the form starts from defaults and the first save creates it.
        draft = defaults(projectId);
        isNew = true;
      } else {
        loadError = errorMessage(err);
      }
    }
    if (ctx.isCurrent()) {
      draw();
    }
  };

  return { box, draw: () => draw(), load };
}
