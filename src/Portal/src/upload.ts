import { HttpError } from "./errors";

export interface UploadReport {
  added: { itemId: string; fileName: string }[];
  duplicates: { fileName: string; reason: string }[];
  rejected: { fileName: string; reason: string }[];
  /** Only for a CSV manifest: rows that could not be read (line number in the file, reason). */
  badRows?: { line: number; reason: string }[];
}

function list<T>(value: unknown, pick: (o: Record<string, unknown>) => T): T[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null).map(pick) : [];
}

const str = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));

/**
 * Reads the upload endpoint's answer: the report on success, an HttpError carrying the server's
 * own message ({ error }) otherwise, or the fallback text when the body says nothing usable.
 */
export function parseUploadResponse(status: number, body: string, fallback: (status: number) => string): UploadReport {
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  const o = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : undefined;
  if (status < 200 || status >= 300) {
    const message = o && typeof o.error === "string" && o.error.trim() !== "" ? o.error : fallback(status);
    throw new HttpError(status, message);
  }
  if (!o) {
    throw new HttpError(status, fallback(status));
  }
  return {
    added: list(o.added, (a) => ({ itemId: str(a.itemId), fileName: str(a.fileName) })),
    duplicates: list(o.duplicates, (d) => ({ fileName: str(d.fileName), reason: str(d.reason) })),
    rejected: list(o.rejected, (r) => ({ fileName: str(r.fileName), reason: str(r.reason) })),
    badRows:
      typeof o.manifest === "object" && o.manifest !== null
        ? list((o.manifest as Record<string, unknown>).badRows, (b) => ({ line: Number(b.line) || 0, reason: str(b.reason) }))
        : undefined,
  };
}

export interface UploadOptions {
  projectId: string;
  files: readonly File[];
  token: string;
  lang: string;
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  fallback: (status: number) => string;
}

/**
 * Sends the files to POST /api/projects/{id}/images (multipart, field "files"). XMLHttpRequest
 * rather than fetch because only it reports upload progress.
 */
export function uploadFiles(options: UploadOptions): Promise<UploadReport> {
  const form = new FormData();
  for (const file of options.files) {
    form.append("files", file, file.name);
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/projects/${encodeURIComponent(options.projectId)}/images`);
    xhr.setRequestHeader("authorization", `Bearer ${options.token}`);
    xhr.setRequestHeader("accept-language", options.lang);
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        options.onProgress?.(e.loaded, e.total);
      }
    });
    xhr.addEventListener("load", () => {
      try {
        resolve(parseUploadResponse(xhr.status, xhr.responseText, options.fallback));
      } catch (err) {
        reject(err);
      }
    });
    xhr.addEventListener("error", () => reject(new TypeError("network error")));
    xhr.addEventListener("abort", () => reject(new TypeError("aborted")));
    xhr.send(form);
  });
}
