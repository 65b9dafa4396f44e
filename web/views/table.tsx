/**
 * The dashboard's one table shape: a `grid stackable` table whose cells carry their column's
 * label, so app.css can stack each row as a card below 600 px. Pages describe columns, not markup.
 */
import type { Child } from "hono/jsx";

export interface Column<Row> {
  label: string;
  /** Right-aligned numbers. */
  num?: boolean;
  /** Extra classes on the cell (e.g. "mono", "muted"). */
  class?: string;
  cell: (row: Row) => Child;
}

export function StackTable<Row>(props: {
  id?: string;
  columns: Column<Row>[];
  rows: Row[];
  /** The row's data-* attributes, by which tests and scripts find it. */
  rowData: (row: Row) => Record<string, string>;
}) {
  return (
    <div class="table-wrap">
      <table class="grid stackable" id={props.id}>
        <thead>
          <tr>
            {props.columns.map(headerCell)}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr {...dataAttributes(props.rowData(row))}>
              {props.columns.map((c) => bodyCell(c, row))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const dataAttributes = (data: Record<string, string>) =>
  Object.fromEntries(Object.entries(data).map(([key, value]) => [`data-${key}`, value]));

// Cells are built by functions, not inline elements, so no `key` attribute ends up in the HTML.
const headerCell = <Row,>(c: Column<Row>) => <th class={c.num ? "num" : undefined}>{c.label}</th>;

const bodyCell = <Row,>(c: Column<Row>, row: Row) => (
  <td
    data-label={c.label}
    class={[c.num ? "num" : "", c.class ?? ""].join(" ").trim() || undefined}
  >
    {c.cell(row)}
  </td>
);
