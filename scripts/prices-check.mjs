#!/usr/bin/env node
// `npm run prices:check [-- --strict] [file]`: says which configured models have no price (their cost
// will be null), looking at router.yaml (ROUTER_CONFIG or the file argument) and, when DATABASE_URL is
// set, the control plane's database. A link's own price wins; otherwise the bundled, dated price list.
// Exit code: 0, or 1 with --strict when a model is unpriced; 2 when a source cannot be read.
import { existsSync } from "node:fs";
import { ConfigError, configLinks, loadConfigFile, PRICE_LIST_DATE, priceReport } from "@ai-router/config";

const args = process.argv.slice(2);
const strict = args.includes("--strict");
const fileArg = args.find((a) => !a.startsWith("--"));
const file = fileArg ?? process.env.ROUTER_CONFIG ?? "./router.yaml";

const sources = [];
if (fileArg || existsSync(file)) {
  try {
    sources.push({ name: file, links: configLinks(loadConfigFile(file)) });
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : `cannot read ${file}: ${err.message}`);
    process.exit(2);
  }
}
if (process.env.DATABASE_URL) {
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  try {
    await c.connect();
    const r = await c.query(
      `SELECT m.name AS model, p.name AS provider, p.adapter AS type, COALESCE(l.upstream_model, m.name) AS upstream, l.price
         FROM model_providers l JOIN models m ON m.id = l.model_id JOIN providers p ON p.id = l.provider_id
        ORDER BY m.name, p.name`,
    );
    sources.push({
      name: "database",
      links: r.rows.map((x) => ({ model: x.model, provider: x.provider, type: x.type, upstreamModel: x.upstream, price: x.price })),
    });
  } catch (err) {
    console.error(`cannot read the database (DATABASE_URL): ${err.message}`);
    process.exit(2);
  } finally {
    await c.end().catch(() => {});
  }
}
if (sources.length === 0) {
  console.error(`nothing to check: ${file} does not exist and DATABASE_URL is not set`);
  process.exit(2);
}

let missing = 0;
console.log(`bundled price list of ${PRICE_LIST_DATE}`);
for (const s of sources) {
  const { links, unpriced } = priceReport(s.links);
  const own = links.filter((l) => l.source === "link").length;
  const bundled = links.filter((l) => l.source === "bundled").length;
  console.log(
    `${s.name}: ${links.length} links, ${own} priced by their own price, ${bundled} by the bundled list, ${unpriced.length} unpriced`,
  );
  for (const l of unpriced)
    console.log(`  unpriced: model "${l.model}" on provider "${l.provider}" (${l.type}, upstream model "${l.upstreamModel}")`);
  missing += unpriced.length;
}
if (missing > 0) console.log(`${missing} link(s) have no price: their cost is recorded as null. Set \`price\` on the link to fix it.`);
process.exit(strict && missing > 0 ? 1 : 0);
