/** The page shown for errors on HTML paths (API paths get JSON). */
import { rootRelative } from "../relative.ts";
import { Layout } from "./layout.tsx";

export function ErrorPage(props: { path: string; status: number; message: string }) {
  const root = rootRelative(props.path);
  return (
    <Layout root={root} title={`Error ${props.status}`}>
      <section class="card narrow">
        <h1>Error {props.status}</h1>
        <p>{props.message}</p>
        <p>
          <a href={`${root}devices`}>Back to the devices</a>
        </p>
      </section>
    </Layout>
  );
}
