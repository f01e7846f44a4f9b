/** The portal's pages, addressed by the URL hash (the Api serves one index.html). */
export type Route =
  | { name: "home" }
  | { name: "signin" }
  | { name: "projects" }
  | { name: "newProject" }
  | { name: "project"; id: string }
  | { name: "label"; id: string; link?: string }
  | { name: "experiments" }
  | { name: "experiment"; experimentName: string }
  | { name: "notFound" };

const ID = "([0-9A-Za-z-]{1,64})";
// Experiment names are chosen by researchers: one path segment, percent-encoded in links.
const NAME = "([^/]{1,300})";
const MAX_NAME = 100;

/** The decoded experiment name of a path segment; undefined when malformed or unsafe. */
function experimentName(segment: string): string | undefined {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  if (name.trim() === "" || name.length > MAX_NAME || name === "." || name === ".." || /[\/\u0000-\u001f\u007f]/.test(name)) {
    return undefined;
  }
  return name;
}

export function parseRoute(hash: string): Route {
  const [rawPath = "", query = ""] = hash.replace(/^#/, "").split("?", 2);
  const path = rawPath.replace(/\/+$/, "") || "/";
  if (path === "/" || path === "") {
    return { name: "home" };
  }
  if (path === "/signin") {
    return { name: "signin" };
  }
  if (path === "/projects") {
    return { name: "projects" };
  }
  if (path === "/projects/new") {
    return { name: "newProject" };
  }
  let m = new RegExp(`^/projects/${ID}$`).exec(path);
  if (m?.[1]) {
    return { name: "project", id: m[1] };
  }
  if (path === "/experiments") {
    return { name: "experiments" };
  }
  m = new RegExp(`^/experiments/${NAME}$`).exec(path);
  if (m?.[1]) {
    const name = experimentName(m[1]);
    return name === undefined ? { name: "notFound" } : { name: "experiment", experimentName: name };
  }
  m = new RegExp(`^/label/${ID}$`).exec(path);
  if (m?.[1]) {
    // "?link=…": a chat gateway's link, so the person continues as the same contributor.
    const link = new URLSearchParams(query).get("link");
    return link ? { name: "label", id: m[1], link } : { name: "label", id: m[1] };
  }
  return { name: "notFound" };
}

export const paths = {
  home: () => "#/",
  signin: () => "#/signin",
  projects: () => "#/projects",
  newProject: () => "#/projects/new",
  project: (id: string) => `#/projects/${encodeURIComponent(id)}`,
  label: (id: string) => `#/label/${encodeURIComponent(id)}`,
  experiments: () => "#/experiments",
  experiment: (name: string) => `#/experiments/${encodeURIComponent(name)}`,
};
