import type { PageContext } from "./app";
import { imports } from "./api";
import type { ImportJob } from "./gen/coconstruisons/v1/imports_pb";
import { isActive, pollDelay } from "./imports";

/**
 * Follows a background import job while it is queued or running: polls ImportService.GetImportJob
 * (every second, then every two after a minute), hands each news to `update`, and calls `finished`
 * once the job has ended, as long as the page is still shown. A missed poll (network hiccup) keeps
 * the last news and tries again. Calling the returned function while it already follows does nothing.
 */
export function jobFollower(
  ctx: PageContext,
  current: () => ImportJob | undefined,
  update: (job: ImportJob) => void,
  finished: () => Promise<void>,
): () => Promise<void> {
  let polling = false;
  return async () => {
    if (polling) {
      return;
    }
    polling = true;
    const started = Date.now();
    try {
      let job = current();
      while (job && isActive(job.state) && ctx.isCurrent()) {
        await new Promise((resolve) => setTimeout(resolve, pollDelay(Date.now() - started)));
        if (!ctx.isCurrent()) {
          return;
        }
        try {
          job = await imports.getImportJob({ jobId: job.id });
        } catch (err) {
          if (ctx.handleOwnerError(err)) {
            return;
          }
          continue;
        }
        if (!ctx.isCurrent()) {
          return;
        }
        update(job);
      }
      if (job && ctx.isCurrent()) {
        await finished();
      }
    } finally {
      polling = false;
    }
  };
}
