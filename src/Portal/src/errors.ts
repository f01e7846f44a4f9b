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
