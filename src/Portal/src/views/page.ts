import type { PageContext } from "../app";
import type { Route } from "../router";

/** A drawn page. relocalize() redraws it in the new language without losing what the user typed or the current task. */
export interface Page {
  relocalize?(): void;
}

export type PageFactory<R extends Route = Route> = (ctx: PageContext, route: R) => Promise<Page | void> | Page | void;

/** Moves focus to the page's heading so screen readers announce the new page. */
export function focusHeading(main: HTMLElement): void {
  const heading = main.querySelector<HTMLElement>("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: false });
  }
}
