import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/** Text a person would read, written in a source file instead of looked up in the catalogues. */
export interface UiText {
  file: string;
  line: number;
  text: string;
}

/** JSX props (ours and the DOM's) whose string a person reads or hears. */
const VISIBLE_PROPS = new Set([
  "title",
  "subtitle",
  "label",
  "hint",
  "placeholder",
  "alt",
  "aria-label",
  "aria-description",
  "aria-valuetext",
  "aria-roledescription",
  "confirm",
  "submitLabel",
  "none",
  "header",
]);
/** Object properties that become visible text (a table column's header, a chart series' label). */
const VISIBLE_KEYS = new Set(["label", "title", "header", "hint", "placeholder"]);
/**
 * The only characters allowed in text written in a .tsx file: punctuation and symbols that read the
 * same in every language. Words, names and numbers with units live in i18n/ (names that never change,
 * such as the product's, in i18n/terms.ts).
 */
export const ALLOWED_SYMBOLS = "—–-/·…→←↻⇩✕☰▲+*#:,.()$%|";

const isAllowed = (text: string) => [...text].every((c) => /\s/.test(c) || ALLOWED_SYMBOLS.includes(c));

/** Finds visible text in one .tsx source. */
export function findUiText(source: string, file = "inline.tsx"): UiText[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out: UiText[] = [];
  const report = (node: ts.Node, text: string) => {
    if (text.trim() === "" || isAllowed(text)) return;
    // JSX text starts at its leading whitespace: point at its first letter.
    const at = ts.isJsxText(node) ? node.pos + text.length - text.trimStart().length : node.getStart(sf);
    out.push({ file, line: sf.getLineAndCharacterOfPosition(at).line + 1, text: text.trim() });
  };
  // An expression whose value is shown: literals are reported, lookups (t("..."), TERMS.x, data) are not.
  const shown = (e: ts.Expression | undefined): void => {
    if (!e) return;
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) report(e, e.text);
    else if (ts.isTemplateExpression(e)) {
      report(e, [e.head.text, ...e.templateSpans.map((s) => s.literal.text)].join(" "));
      for (const s of e.templateSpans) shown(s.expression);
    } else if (ts.isConditionalExpression(e)) {
      shown(e.whenTrue);
      shown(e.whenFalse);
    } else if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) shown(e.right);
      else if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.PlusToken) {
        shown(e.left);
        shown(e.right);
      }
    } else if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) shown(e.expression);
    else if (ts.isArrayLiteralExpression(e)) for (const x of e.elements) shown(x as ts.Expression);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) report(node, node.text);
    else if (ts.isJsxExpression(node) && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) shown(node.expression);
    else if (ts.isJsxAttribute(node) && VISIBLE_PROPS.has(node.name.getText(sf))) {
      const init = node.initializer;
      if (init && ts.isStringLiteral(init)) report(init, init.text);
      else if (init && ts.isJsxExpression(init)) shown(init.expression);
    } else if (ts.isPropertyAssignment(node) && VISIBLE_KEYS.has(node.name.getText(sf).replace(/^["']|["']$/g, "")))
      shown(node.initializer);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every .tsx file under `dir` but tests and the message files (i18n/). */
export function uiSources(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return d.name === "i18n" ? [] : uiSources(path, root);
    return d.name.endsWith(".tsx") && !d.name.endsWith(".test.tsx") ? [path] : [];
  });
}

/** Visible text in every console source, as `file:line: text`. */
export function uiTextOutsideCatalogues(srcDir: string): string[] {
  return uiSources(srcDir).flatMap((f) =>
    findUiText(readFileSync(f, "utf8"), relative(srcDir, f)).map((u) => `${u.file}:${u.line}: ${JSON.stringify(u.text)}`),
  );
}
