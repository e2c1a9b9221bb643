// Why tools/biome/no-leading-object-spread.grit exists: builds one million short-lived objects each way
// and prints how many bytes V8's scavenger promoted to the old generation (node --trace-gc-nvp).
// On Node 20 a leading spread (`{ ...a, b }`) promotes nearly every object it builds.
import { execFileSync } from "node:child_process";

const variants = {
  literal: "o = { id: i, kind: 'served', latencyMs: i * 1.5, outputTokens: i };",
  "leading spread { ...a, b }": "o = { ...make(i), outputTokens: i };",
  "two spreads { ...a, ...b }": "o = { ...HEADERS, ...make(i) };",
  "trailing spread { b, ...a }": "o = { outputTokens: i, ...make(i) };",
  "Object.assign({}, a, b)": "o = Object.assign({}, HEADERS, make(i));",
};
const prelude = `
const HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" };
const make = (i) => ({ id: i, kind: "served", latencyMs: i * 1.5 });
let sink = [];
for (let i = 0; i < 1e6; i++) { let o; BODY sink[i & 15] = o; if ((i & 4095) === 0) sink = []; }`;

console.log("\nObject shapes: bytes promoted to the old generation while building 1e6 short-lived objects\n");
console.log(`${"pattern".padEnd(32)} promoted MB`);
for (const [name, body] of Object.entries(variants)) {
  const out = execFileSync(process.execPath, ["--trace-gc-nvp", "-e", prelude.replace("BODY", body)], { encoding: "utf8" });
  let promoted = 0;
  for (const m of out.matchAll(/promoted=(\d+)/g)) promoted += Number(m[1]);
  console.log(`${name.padEnd(32)} ${(promoted / 1048576).toFixed(1).padStart(8)}`);
}
