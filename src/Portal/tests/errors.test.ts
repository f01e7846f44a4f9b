import { base64Encode, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";
import { findTrailerError } from "@connectrpc/connect/protocol-grpc";
import { describe, expect, it } from "vitest";
import { errorMessage, fieldKey, fieldViolations, HttpError, isUnauthenticated, violationsByField } from "../src/errors";
import { setLang, t } from "../src/i18n";
import { parseUploadResponse } from "../src/upload";

describe("errorMessage", () => {
  it("shows the server's joined validation messages as they are", () => {
    const err = new ConnectError("Le titre est obligatoire. Il faut entre 2 et 10 choix.", Code.InvalidArgument);
    expect(errorMessage(err)).toBe("Le titre est obligatoire. Il faut entre 2 et 10 choix.");
  });

  it("shows the server's message for not found, unauthenticated and rule errors", () => {
    for (const code of [Code.NotFound, Code.Unauthenticated, Code.FailedPrecondition, Code.PermissionDenied, Code.ResourceExhausted]) {
      expect(errorMessage(new ConnectError("Projet introuvable.", code))).toBe("Projet introuvable.");
    }
  });

  it("hides internal details behind a translated generic text", () => {
    setLang("fr");
    expect(errorMessage(new ConnectError("Unexpected server error; it was logged.", Code.Unknown))).toBe(t("error.unknown"));
    expect(errorMessage(new ConnectError("boom", Code.Internal))).toBe(t("error.unknown"));
    expect(errorMessage(new Error("stack trace"))).toBe(t("error.unknown"));
  });

  it("says the server does not answer when the network fails", () => {
    setLang("en");
    expect(errorMessage(new TypeError("Failed to fetch"))).toBe(t("error.network", undefined, "en"));
    expect(errorMessage(new ConnectError("", Code.Unavailable))).toBe(t("error.network", undefined, "en"));
    expect(errorMessage(new ConnectError("Failed to fetch", Code.Unknown, undefined, undefined, new TypeError("Failed to fetch")))).toBe(
      t("error.network", undefined, "en"),
    );
    setLang("fr");
  });

  it("uses the upload endpoint's own message", () => {
    expect(errorMessage(new HttpError(404, "Projet introuvable."))).toBe("Projet introuvable.");
  });

  it("recognizes an expired owner session from either transport", () => {
    expect(isUnauthenticated(new ConnectError("x", Code.Unauthenticated))).toBe(true);
    expect(isUnauthenticated(new HttpError(401, "x"))).toBe(true);
    expect(isUnauthenticated(new HttpError(404, "x"))).toBe(false);
  });
});

describe("parseUploadResponse", () => {
  const fallback = (status: number) => `HTTP ${status}`;

  it("reads the report", () => {
    const body = JSON.stringify({
      added: [{ itemId: "i1", fileName: "a.jpg" }],
      duplicates: [{ fileName: "b.jpg", reason: "déjà présente" }],
      rejected: [{ fileName: "c.txt", reason: "pas une image" }],
    });
    expect(parseUploadResponse(200, body, fallback)).toEqual({
      added: [{ itemId: "i1", fileName: "a.jpg" }],
      duplicates: [{ fileName: "b.jpg", reason: "déjà présente" }],
      rejected: [{ fileName: "c.txt", reason: "pas une image" }],
    });
  });

  it("reads a manifest's unreadable rows", () => {
    const body = JSON.stringify({
      added: [],
      duplicates: [],
      rejected: [{ fileName: "ligne 3 : absent.png", reason: "fichier introuvable" }],
      manifest: { rows: 2, badRows: [{ line: 2, reason: "ligne tronquée" }] },
    });
    const report = parseUploadResponse(200, body, fallback);
    expect(report.badRows).toEqual([{ line: 2, reason: "ligne tronquée" }]);
    expect(report.rejected).toEqual([{ fileName: "ligne 3 : absent.png", reason: "fichier introuvable" }]);
  });

  it("treats missing lists as empty", () => {
    expect(parseUploadResponse(200, "{}", fallback)).toEqual({ added: [], duplicates: [], rejected: [] });
  });

  it("turns { error } into an HttpError with the server's message", () => {
    expect(() => parseUploadResponse(413, JSON.stringify({ error: "Envoi trop volumineux." }), fallback)).toThrow("Envoi trop volumineux.");
    let thrown: unknown;
    try {
      parseUploadResponse(401, JSON.stringify({ error: "Connexion requise." }), fallback);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect((thrown as HttpError).status).toBe(401);
    expect(isUnauthenticated(thrown)).toBe(true);
  });

  it("falls back when the body is not JSON (e.g. a proxy's error page)", () => {
    expect(() => parseUploadResponse(502, "<html>Bad gateway</html>", fallback)).toThrow("HTTP 502");
    expect(() => parseUploadResponse(200, "not json", fallback)).toThrow("HTTP 200");
  });
});

describe("field violations (google.rpc.BadRequest in grpc-status-details-bin)", () => {
  const badRequest = (violations: [string, string][]) => {
    const w = new BinaryWriter();
    for (const [field, description] of violations) {
      w.tag(1, WireType.LengthDelimited).bytes(new BinaryWriter().tag(1, WireType.LengthDelimited).string(field).tag(2, WireType.LengthDelimited).string(description).finish());
    }
    return w.finish();
  };
  /** A google.rpc.Status with one Any detail, as the Api's interceptor writes it. */
  const statusBytes = (message: string, detail: Uint8Array) =>
    new BinaryWriter()
      .tag(1, WireType.Varint)
      .int32(Code.InvalidArgument)
      .tag(2, WireType.LengthDelimited)
      .string(message)
      .tag(3, WireType.LengthDelimited)
      .bytes(new BinaryWriter().tag(1, WireType.LengthDelimited).string("type.googleapis.com/google.rpc.BadRequest").tag(2, WireType.LengthDelimited).bytes(detail).finish())
      .finish();

  it("reads each field's message from a gRPC-web trailer", () => {
    const message = "Le nom est obligatoire. Les allocations totalisent 90 %.";
    const trailer = new Headers({
      "grpc-status": "3",
      "grpc-message": encodeURIComponent(message),
      "grpc-status-details-bin": base64Encode(
        statusBytes(message, badRequest([
          ["Experiment.Name", "Le nom est obligatoire."],
          ["Experiment.Variants", "Les allocations totalisent 90 %."],
        ])),
        "std_raw",
      ),
    });
    const err = findTrailerError(trailer);
    expect(err).toBeInstanceOf(ConnectError);
    expect(errorMessage(err)).toBe(message);
    expect(fieldViolations(err)).toEqual([
      { field: "Experiment.Name", description: "Le nom est obligatoire." },
      { field: "Experiment.Variants", description: "Les allocations totalisent 90 %." },
    ]);
  });

  it("has none for other errors or without the detail", () => {
    expect(fieldViolations(new ConnectError("x", Code.InvalidArgument))).toEqual([]);
    expect(fieldViolations(new ConnectError("x", Code.FailedPrecondition))).toEqual([]);
    expect(fieldViolations(new Error("x"))).toEqual([]);
    const garbled = new ConnectError("x", Code.InvalidArgument);
    garbled.details = [{ type: "google.rpc.BadRequest", value: new Uint8Array([10, 200]) }];
    expect(fieldViolations(garbled)).toEqual([]);
  });

  it("maps property paths to form fields", () => {
    expect(fieldKey("Experiment.Variants[1].Percent")).toBe("variants");
    expect(fieldKey("experiment.project_ids")).toBe("projectids");
    expect(fieldKey("Campaign.MaxPerDay")).toBe("maxperday");
    expect(fieldKey("Settings.Choices[1].Label")).toBe("choices");
    expect(fieldKey("Settings.AnswersPerItem")).toBe("answersperitem");
    expect(fieldKey("Campaign.Messages[0].NudgeFr")).toBe("messages");
    expect(fieldKey("Name")).toBe("name");
    expect(fieldKey("")).toBe("");
    const map = violationsByField([
      { field: "Variants[0].Name", description: "a" },
      { field: "Experiment.Variants", description: "b" },
      { field: "Experiment.Variants", description: "b" },
      { field: "Seed", description: "c" },
    ]);
    expect(map.get("variants")).toEqual(["a", "b"]);
    expect(map.get("seed")).toEqual(["c"]);
  });
});
