/** The page frame: head, top bar with relative links, and the page's own scripts. */
import type { Child } from "hono/jsx";
import { raw } from "hono/html";

export interface LayoutProps {
  /** Relative prefix back to the site root, from rootRelative(): "./" or "../". */
  root: string;
  title: string;
  /** The signed-in user; absent on the login page. */
  user?: string;
  /** The signed-in user's role: admins also see Users, Tokens and Audit. */
  role?: "admin" | "operator" | "viewer";
  /** Which NAV entry is the current page (its path). */
  active?: string;
  styles?: string[];
  scripts?: string[];
  children?: Child;
}

/**
 * The top bar's pages, in order: [path, label]. Another area adds its page here (alerts, users,
 * audit…); `active` names the current one by path.
 */
export const NAV: [string, string][] = [
  ["overview", "Overview"],
  ["devices", "Devices"],
  ["alerts", "Alerts"],
  ["cluster", "Cluster"],
];
/** Pages only admins see. */
export const ADMIN_NAV: [string, string][] = [
  ["users", "Users"],
  ["tokens", "Tokens"],
  ["audit", "Audit"],
];

export function Layout(props: LayoutProps) {
  const { root } = props;
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title} · fleetmon</title>
          <link rel="icon" href={`${root}static/favicon.svg`} type="image/svg+xml" />
          {(props.styles ?? []).map((name) => (
            <link rel="stylesheet" href={`${root}static/${name}`} />
          ))}
          <link rel="stylesheet" href={`${root}static/app.css`} />
          {(props.scripts ?? []).map((name) => (
            <script src={`${root}static/${name}`} defer>
            </script>
          ))}
        </head>
        <body>
          <header class="topbar">
            <a class="brand" href={`${root}overview`}>
              <span class="brand-mark" aria-hidden="true"></span>fleetmon
            </a>
            {props.user && (
              <nav>
                {NAV.map(([path, label]) => (
                  <a href={`${root}${path}`} class={props.active === path ? "active" : ""}>
                    {label}
                  </a>
                ))}
                {props.role === "admin" &&
                  ADMIN_NAV.map(([path, label]) => (
                    <a href={`${root}${path}`} class={props.active === path ? "active" : ""}>
                      {label}
                    </a>
                  ))}
              </nav>
            )}
            {props.user && (
              <form class="logout" method="post" action={`${root}logout`}>
                <span class="user">{props.user}</span>
                <button type="submit">Sign out</button>
              </form>
            )}
          </header>
          <main>{props.children}</main>
        </body>
      </html>
    </>
  );
}
