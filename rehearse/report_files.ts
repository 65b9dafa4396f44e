/** Writes the report folder: summary.txt, figures.json and one PNG plot per scenario. */
import { buildFigures, type Figures, formatSummary, type RunData, scenarioKey } from "./report.ts";
import { smoothRates, window } from "./timeline.ts";
import { plotScenario } from "./plot.ts";

export async function writeReport(dir: string, data: RunData): Promise<Figures> {
  await Deno.mkdir(dir, { recursive: true });
  const figures = buildFigures(data);
  for (const r of data.results) {
    // From the start to a few seconds after the devices stopped: the audit after it is idle time.
    const end = r.stoppedMs > 0 ? r.stoppedMs + 5_000 : r.endedMs;
    const points = smoothRates(window(data.samples, r.startedMs - 1_000, end + 1_000), 1);
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
