/** Number, money, duration and time formats in the UI language. */
export const fmtInt = (locale: string, n: number | null | undefined) => (n === null || n === undefined ? "–" : n.toLocaleString(locale));
export const fmtUsd = (locale: string, n: number | null | undefined) =>
  n === null || n === undefined
    ? "–"
    : n.toLocaleString(locale, {
        style: "currency",
        currency: "USD",
        // "$" in every language (zh-CN would write "US$", too wide for the totals' cards)
        currencyDisplay: "narrowSymbol",
        // Under a cent: three significant digits ($0.00181, $0.000108), never a string of zeros.
        ...(n !== 0 && Math.abs(n) < 0.01 ? { maximumSignificantDigits: 3 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
      });
export const fmtMs = (n: number | null | undefined) =>
  n === null || n === undefined
    ? "–"
    : n >= 10_000
      ? `${(n / 1000).toFixed(1)} s`
      : n < 10
        ? `${Number(n.toFixed(1))} ms` // 2.5 ms, not "3 ms" (chart ticks under 10 ms would repeat); 1.96 is "2 ms", never "2.0 ms"
        : `${Math.round(n)} ms`;
export const fmtPct = (locale: string, n: number | null | undefined) =>
  n === null || n === undefined || Number.isNaN(n) ? "–" : n.toLocaleString(locale, { style: "percent", maximumFractionDigits: 1 });
export const fmtTime = (locale: string, iso: string | null | undefined) =>
  iso
    ? new Date(iso).toLocaleString(locale, {
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      })
    : "–";
export const fmtNum = (locale: string, n: number | null | undefined, digits = 1) =>
  n === null || n === undefined ? "–" : n.toLocaleString(locale, { maximumFractionDigits: digits });
export const fmtDate = (locale: string, iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleDateString(locale, { year: "numeric", month: "short", day: "numeric" }) : "–";
