// @vitest-environment happy-dom
import { cleanup, render } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import { Identifier, identifierPieces } from "./identifier.js";

afterEach(cleanup);

it("splits an id only after ':' '/' or spaces, keeping runs of them, every hyphenated part and short prefixes whole", () => {
  expect(identifierPieces("ft:gpt-4o-mini-2024-07-18:acme::ftjob-abc")).toEqual(["ft:gpt-4o-mini-2024-07-18:", "acme::", "ftjob-abc"]);
  expect(identifierPieces("/v1/chat/completions")).toEqual(["/v1/", "chat/", "completions"]);
  expect(identifierPieces("ftjob-R1I7AULJ8KTtWWVqrdhKNDqI")).toEqual(["ftjob-R1I7AULJ8KTtWWVqrdhKNDqI"]);
  expect(identifierPieces("my eval set.jsonl")).toEqual(["my eval ", "set.jsonl"]);
  expect(identifierPieces("a:b")).toEqual(["a:b"]);
  expect(identifierPieces("")).toEqual([]);
});

it("shows the whole text, a break opportunity between pieces, and lets only an overlong piece wrap anywhere", () => {
  const long = `${"x".repeat(60)}.jsonl`;
  const { container } = render(<Identifier className="mono small" text={`ft:gpt-4o-mini-2024-07-18:acme::${long}`} />);
  const el = container.firstElementChild as HTMLElement;
  expect(el.textContent).toBe(`ft:gpt-4o-mini-2024-07-18:acme::${long}`);
  expect(el.className).toBe("identifier mono small");
  expect(el.querySelectorAll("wbr")).toHaveLength(2);
  expect([...el.querySelectorAll("span")].map((s) => s.className)).toEqual(["", "", "long"]);
});
