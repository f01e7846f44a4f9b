// Where the portal keeps its tokens. Owner access lasts for the tab (sessionStorage); a
// contributor's pseudonymous session is kept per project, also for the tab only.

const OWNER_KEY = "coco.owner";
const contributorKey = (projectId: string) => `coco.session.${projectId}`;

function store(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

export interface OwnerSession {
  token: string;
  displayName: string;
  expiresAtUnix: number;
  /** May run experiments (the experiments page is shown only then). */
  researcher?: boolean;
}

export function getOwner(now: number = Date.now()): OwnerSession | undefined {
  const raw = store()?.getItem(OWNER_KEY);
  if (!raw) {
    return undefined;
  }
  try {
    const s = JSON.parse(raw) as OwnerSession;
    if (typeof s.token !== "string" || !s.token || (s.expiresAtUnix > 0 && s.expiresAtUnix * 1000 <= now)) {
      clearOwner();
      return undefined;
    }
    return s;
  } catch {
    clearOwner();
    return undefined;
  }
}

export function setOwner(session: OwnerSession): void {
  store()?.setItem(OWNER_KEY, JSON.stringify(session));
}

export function clearOwner(): void {
  store()?.removeItem(OWNER_KEY);
}

export function getContributorToken(projectId: string): string | undefined {
  return store()?.getItem(contributorKey(projectId)) ?? undefined;
}

export function setContributorToken(projectId: string, token: string): void {
  store()?.setItem(contributorKey(projectId), token);
}

export function clearContributorToken(projectId: string): void {
  store()?.removeItem(contributorKey(projectId));
}
