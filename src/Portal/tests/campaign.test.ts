import { describe, expect, it } from "vitest";
import { allToneMessages, campaignDraft, hasQuietHours, sortDays, toCampaign } from "../src/campaign";

const server = {
  projectId: "p1",
  channel: "slack",
  enabled: true,
  maxPerDay: 1,
  maxPerWeek: 3,
  quietFrom: "20:00",
  quietUntil: "09:00",
  workingDays: ["friday", "monday", "Tuesday", "monday", "someday"],
  timeZone: "Europe/Paris",
  tone: "playful",
  mode: "single",
  messages: [
    { tone: "impact", nudgeFr: "Chaque réponse compte.", nudgeEn: "Every answer counts.", greetingFr: "Bonjour !", greetingEn: "Hello!" },
    { tone: "seasonal", nudgeFr: "Été", nudgeEn: "Summer", greetingFr: "", greetingEn: "" },
  ],
  version: 7,
};

describe("campaign settings", () => {
  it("offers every tone's messages, known tones first, unknown kept", () => {
    const all = allToneMessages(server.messages);
    expect(all.map((m) => m.tone)).toEqual(["neutral", "playful", "impact", "seasonal"]);
    expect(all[0]).toEqual({ tone: "neutral", nudgeFr: "", nudgeEn: "", greetingFr: "", greetingEn: "" });
    expect(all[2]?.nudgeEn).toBe("Every answer counts.");
  });

  it("orders working days through the week, once each", () => {
    expect(sortDays(server.workingDays)).toEqual(["monday", "tuesday", "friday"]);
  });

  it("sends back what was edited, with the version read", () => {
    const d = campaignDraft(server);
    d.maxPerDay = " 2 ";
    d.maxPerWeek = "beaucoup";
    d.workingDays = ["sunday", "monday"];
    d.messages[1]!.nudgeFr = "  On joue ?  ";
    const c = toCampaign(d);
    expect(c.maxPerDay).toBe(2);
    expect(c.maxPerWeek).toBe(-1);
    expect(c.workingDays).toEqual(["monday", "sunday"]);
    expect(c.version).toBe(7);
    expect(c.messages.map((m) => m.tone)).toEqual(["neutral", "playful", "impact", "seasonal"]);
    expect(c.messages[1]?.nudgeFr).toBe("On joue ?");
    expect(c).not.toHaveProperty("nudgesSent");
  });

  it("has no quiet hours when both ends are equal", () => {
    expect(hasQuietHours("20:00", "09:00")).toBe(true);
    expect(hasQuietHours("00:00", "00:00")).toBe(false);
  });
});
