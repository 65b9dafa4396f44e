/** Writes the report folder: summary.txt, figures.json and one PNG plot per scenario. */
import { buildFigures, type Figures, formatSummary, type RunData, scenarioKey } from "./report.ts";
import { rates, window } from "./timeline.ts";
import { plotScenario } from "./plot.ts";

export async function writeReport(dir: string, data: RunData): Promise<Figures> {
  await Deno.mkdir(dir, { recursive: true });
  const figures = buildFigures(data);
  for (const r of data.results) {
    const points = rates(window(data.samples, r.startedMs - 1_000, r.endedMs + 1_000));
    const marks = data.marks.filter((m) => m.scenario === r.id);
    const png = await plotScenario(`${r.id}. ${r.title}`, points, marks);
    await Deno.writeFile(`${dir}/${scenarioKey(r)}.png`, png);
  }
  await Deno.writeTextFile(`${dir}/figures.json`, JSON.stringify(figures, null, 2) + "\n");
  await Deno.writeTextFile(`${dir}/summary.txt`, formatSummary(data, figures));
  await Deno.writeTextFile(
    `${dir}/timeline.json`,
    JSON.stringify({ samples: data.samples, marks: data.marks }) + "\n",
  );
  return figures;
}
