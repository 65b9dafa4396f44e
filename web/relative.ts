/**
 * Relative URLs. The seed's rule: a web node never names its own host, so every link and redirect
 * is relative to the page it is on (`./devices`, `../login`), and a node works behind any lb.
 */

/** The relative prefix that leads from `path` back to the site root: "./", "../", "../../". */
export function rootRelative(path: string): string {
  const depth = path.split("/").length - 2;
  return depth <= 0 ? "./" : "../".repeat(depth);
}

const NEXT_PATTERN = /^(?:devices(?:\/(?!\.\.?$)[A-Za-z0-9._~%:-]{1,200})?|cluster|overview)$/;

/**
 * A page to go back to after login, as a path relative to the root ("devices/pump-1"), or
 * undefined when `next` is not one of ours. Only known page shapes pass, so it is never an open
 * redirect.
 */
export function safeNext(next: unknown): string | undefined {
  return typeof next === "string" && NEXT_PATTERN.test(next) ? next : undefined;
}

/** `next` for the page at `path`, if it is a page worth returning to. */
export function nextFor(path: string): string | undefined {
  return safeNext(path.replace(/^\/+/, ""));
}
