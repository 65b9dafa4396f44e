/** The sign-in form. It posts to `login`, relative to itself. */
import { Layout } from "./layout.tsx";

export function LoginPage(props: { username?: string; error?: string; next?: string }) {
  return (
    <Layout root="./" title="Sign in">
      <section class="card narrow">
        <h1>Sign in</h1>
        {props.error && <p class="error" role="alert">{props.error}</p>}
        <form method="post" action="login" class="stack">
          <label>
            Username
            <input
              name="username"
              autocomplete="username"
              required
              maxlength={64}
              value={props.username ?? ""}
              autofocus
            />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              autocomplete="current-password"
              required
              maxlength={1024}
            />
          </label>
          {props.next && <input type="hidden" name="next" value={props.next} />}
          <button type="submit">Sign in</button>
        </form>
      </section>
    </Layout>
  );
}
