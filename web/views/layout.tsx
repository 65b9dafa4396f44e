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
  active?: "devices" | "alerts" | "cluster" | "users" | "tokens" | "audit";
  styles?: string[];
  scripts?: string[];
  children?: Child;
}

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
            <a class="brand" href={`${root}devices`}>fleetmon</a>
            {props.user && (
              <nav>
                <a href={`${root}devices`} class={props.active === "devices" ? "active" : ""}>
                  Devices
                </a>
                <a href={`${root}alerts`} class={props.active === "alerts" ? "active" : ""}>
                  Alerts
                </a>
                <a href={`${root}cluster`} class={props.active === "cluster" ? "active" : ""}>
                  Cluster
                </a>
                {props.role === "admin" &&
                  (["users", "tokens", "audit"] as const).map((page) => (
                    <a href={`${root}${page}`} class={props.active === page ? "active" : ""}>
                      {page[0].toUpperCase() + page.slice(1)}
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
