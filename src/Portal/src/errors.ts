import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";
import { t } from "./i18n";

/** An error answered by the plain HTTP upload endpoint ({ error } JSON, or a bare status). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** Codes whose status message the Api writes for people (localized by accept-language). */
const HUMAN_CODES = new Set<Code>([
  Code.InvalidArgument,
  Code.NotFound,
  Code.Unauthenticated,
  Code.PermissionDenied,
  Code.FailedPrecondition,
  Code.ResourceExhausted,
  Code.AlreadyExists,
  Code.OutOfRange,
]);

/**
 * The sentence to show for a failed call: the server's own message when it wrote one for people
 * (validation errors arrive joined in one status message), a translated generic text otherwise.
 */
export function errorMessage(err: unknown): string {
  if (err instanceof ConnectError) {
    if (HUMAN_CODES.has(err.code) && err.rawMessage.trim() !== "") {
      return err.rawMessage.trim();
    }
    if (err.code === Code.Unavailable || err.code === Code.DeadlineExceeded || isNetworkFailure(err.cause)) {
      return t("error.network");
    }
    return t("error.unknown");
  }
  if (err instanceof HttpError) {
    return err.message.trim() !== "" ? err.message : t("error.unknown");
  }
  if (isNetworkFailure(err)) {
    return t("error.network");
  }
  return t("error.unknown");
}

/** fetch() rejects with a TypeError when the network or the server is down. */
function isNetworkFailure(err: unknown): boolean {
  return err instanceof TypeError;
}

export function isUnauthenticated(err: unknown): boolean {
  return (err instanceof ConnectError && err.code === Code.Unauthenticated) || (err instanceof HttpError && err.status === 401);
}

export function errorCode(err: unknown): Code | undefined {
  return err instanceof ConnectError ? err.code : undefined;
}

export interface FieldViolation {
  /** The server's property path, e.g. "Experiment.Variants[1].Percent". */
  field: string;
  description: string;
}

/** google.rpc.BadRequest { repeated FieldViolation field_violations = 1 } read by hand (the portal has no google.rpc types). */
function readBadRequest(bytes: Uint8Array): FieldViolation[] {
  const out: FieldViolation[] = [];
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wire] = reader.tag();
    if (no === 1 && wire === WireType.LengthDelimited) {
      const inner = new BinaryReader(reader.bytes());
      let field = "";
      let description = "";
      while (inner.pos < inner.len) {
        const [n, w] = inner.tag();
        if (n === 1 && w === WireType.LengthDelimited) {
          field = inner.string();
        } else if (n === 2 && w === WireType.LengthDelimited) {
          description = inner.string();
        } else {
          inner.skip(w);
        }
      }
      if (description.trim() !== "") {
        out.push({ field, description: description.trim() });
      }
    } else {
      reader.skip(wire);
    }
  }
  return out;
}

/**
 * The Api sends each validation error with its property in a google.rpc.BadRequest detail (besides
 * the joined message): forms show them next to their fields. Empty when there is none or it cannot be read.
 */
export function fieldViolations(err: unknown): FieldViolation[] {
  if (!(err instanceof ConnectError) || err.code !== Code.InvalidArgument) {
    return [];
  }
  const out: FieldViolation[] = [];
  for (const detail of err.details) {
    if ("type" in detail && detail.type === "google.rpc.BadRequest" && detail.value instanceof Uint8Array) {
      try {
        out.push(...readBadRequest(detail.value));
      } catch {
        // a malformed detail: the joined message is still shown
      }
    }
  }
  return out;
}

/**
 * The form field a property path is about: lower case, without the request's wrapper
 * ("Experiment.", "Campaign."), underscores or indexes: "Experiment.Variants[1].Percent" → "variants",
 * "Campaign.max_per_day" → "maxperday".
 */
export function fieldKey(path: string): string {
  const segments = path
    .toLowerCase()
    .replace(/_/g, "")
    .split(".")
    .map((s) => s.replace(/\[\d+\]/g, "").trim())
    .filter((s) => s !== "");
  while (segments.length > 1 && ["experiment", "campaign", "request", "definition", "settings"].includes(segments[0] ?? "")) {
    segments.shift();
  }
  return segments[0] ?? "";
}

/** Violations grouped by form field (fieldKey). */
export function violationsByField(violations: readonly FieldViolation[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const v of violations) {
    const key = fieldKey(v.field);
    const list = map.get(key) ?? [];
    if (!list.includes(v.description)) {
      list.push(v.description);
    }
    map.set(key, list);
  }
  return map;
}
