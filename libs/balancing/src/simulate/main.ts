import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CONVERSATIONS, conversationsReport, simulateConversations } from "./conversations.js";
import { makeWorkload, runStrategy } from "./engine.js";
import { markdownTable, svgChart, toRow } from "./report.js";
import { RUNS, SCENARIO } from "./scenario.js";

/**
 * `npm run simulate`: replays one seeded synthetic workload (latency distributions, a slow period, an
 * error burst, an outage, a provider without a price) against every strategy; prints a Markdown table
 * and writes an SVG chart (default docs/simulation.svg, or the path given as the first argument).
 */
function main(): void {
  const out = resolve(process.argv[2] ?? "docs/simulation.svg");
  const workload = makeWorkload(SCENARIO);
  const rows = RUNS.map((r) => toRow(runStrategy(SCENARIO, workload, r.label, r.strategy, r.options)));
  const providers = SCENARIO.providers.map((p) => p.name);
  console.log(
    `Scenario: ${workload.length} requests over ${SCENARIO.durationS / 60} simulated minutes (${SCENARIO.ratePerS}/s, ` +
      `${SCENARIO.streamShare * 100}% streams), up to ${SCENARIO.maxAttempts} attempts, seed ${SCENARIO.seed}.\n`,
  );
  console.log(markdownTable(rows, providers));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, svgChart(rows, `AI Router strategies on a synthetic ${SCENARIO.durationS / 60}-minute workload`));
  console.log(`\nChart written to ${out}`);
  console.log(`\n${conversationsReport(CONVERSATIONS, simulateConversations(CONVERSATIONS))}`);
}

main();
