// Pure logic of a project's campaign settings (CampaignService.GetCampaign / UpdateCampaign):
// the form's draft, with every tone's messages, and the Campaign sent back. Unit-tested in tests/.

export const CAMPAIGN_CHANNEL = "slack";
export const TONES = ["neutral", "playful", "impact"] as const;
export const MODES = ["single", "series"] as const;
export const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Day = (typeof DAYS)[number];

export interface ToneMessagesDraft {
  tone: string;
  nudgeFr: string;
  nudgeEn: string;
  greetingFr: string;
  greetingEn: string;
}

/** What the form edits; numbers as typed. */
export interface CampaignDraft {
  projectId: string;
  channel: string;
  enabled: boolean;
  maxPerDay: string;
  maxPerWeek: string;
  quietFrom: string;
  quietUntil: string;
  workingDays: string[];
  timeZone: string;
  tone: string;
  mode: string;
  messages: ToneMessagesDraft[];
  /** The version read; sent back so the server can refuse a save over someone else's. */
  version: number;
}

interface CampaignLike {
  projectId: string;
  channel: string;
  enabled: boolean;
  maxPerDay: number;
  maxPerWeek: number;
  quietFrom: string;
  quietUntil: string;
  workingDays: string[];
  timeZone: string;
  tone: string;
  mode: string;
  messages: ToneMessagesDraft[];
  version: number;
}

/** Every known tone once, in the usual order, then any other tone the server knows; missing ones empty. */
export function allToneMessages(messages: readonly ToneMessagesDraft[]): ToneMessagesDraft[] {
  const byTone = new Map(messages.map((m) => [m.tone, m]));
  const empty = (tone: string): ToneMessagesDraft => ({ tone, nudgeFr: "", nudgeEn: "", greetingFr: "", greetingEn: "" });
  const known: string[] = [...TONES];
  const pick = (m: ToneMessagesDraft): ToneMessagesDraft => ({ tone: m.tone, nudgeFr: m.nudgeFr, nudgeEn: m.nudgeEn, greetingFr: m.greetingFr, greetingEn: m.greetingEn });
  return [...known.map((tone) => pick(byTone.get(tone) ?? empty(tone))), ...messages.filter((m) => !known.includes(m.tone)).map(pick)];
}

/** Working days in week order, without duplicates or unknown names. */
export function sortDays(days: readonly string[]): Day[] {
  const set = new Set(days.map((d) => d.toLowerCase()));
  return DAYS.filter((d) => set.has(d));
}

/** The form's draft from the server's campaign. */
export function campaignDraft(c: CampaignLike): CampaignDraft {
  return {
    projectId: c.projectId,
    channel: c.channel || CAMPAIGN_CHANNEL,
    enabled: c.enabled,
    maxPerDay: String(c.maxPerDay),
    maxPerWeek: String(c.maxPerWeek),
    quietFrom: c.quietFrom,
    quietUntil: c.quietUntil,
    workingDays: sortDays(c.workingDays),
    timeZone: c.timeZone,
    tone: c.tone,
    mode: c.mode,
    messages: allToneMessages(c.messages),
    version: c.version,
  };
}

/** A whole number typed in a field; NaN-safe: anything else is sent as -1 for the server to refuse with its message. */
function wholeNumber(text: string): number {
  const s = text.trim();
  return /^\d{1,9}$/.test(s) ? Number(s) : -1;
}

/** The Campaign sent to UpdateCampaign (the counters are the server's and are not sent). */
export function toCampaign(d: CampaignDraft): CampaignLike {
  return {
    projectId: d.projectId,
    channel: d.channel,
    enabled: d.enabled,
    maxPerDay: wholeNumber(d.maxPerDay),
    maxPerWeek: wholeNumber(d.maxPerWeek),
    quietFrom: d.quietFrom.trim(),
    quietUntil: d.quietUntil.trim(),
    workingDays: sortDays(d.workingDays),
    timeZone: d.timeZone.trim(),
    tone: d.tone,
    mode: d.mode,
    messages: d.messages.map((m) => ({ tone: m.tone, nudgeFr: m.nudgeFr.trim(), nudgeEn: m.nudgeEn.trim(), greetingFr: m.greetingFr.trim(), greetingEn: m.greetingEn.trim() })),
    version: d.version,
  };
}

/** Quiet hours in words: none when both ends are equal. */
export function hasQuietHours(from: string, until: string): boolean {
  return from.trim() !== until.trim();
}
