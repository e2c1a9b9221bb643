import { Fragment } from "react";

/** A piece shorter than this (`ft:`, `/`) stays with the next one: a line never holds just a prefix. */
const SHORT = 4;

/**
 * Pieces of an identifier: each ends after its run of `:`, `/` or spaces, short ones joined to the next
 * (`ft:gpt-4o-mini-2024-07-18:` `acme::` `ftjob-abc`; `/v1/` `chat/` `completions`).
 */
export function identifierPieces(text: string): string[] {
  const pieces: string[] = [];
  let carry = "";
  for (const p of text.split(/(?<=[:/\s])(?![:/\s])/)) {
    carry += p;
    if (carry.length >= SHORT) {
      pieces.push(carry);
      carry = "";
    }
  }
  if (carry) pieces.push(carry);
  return pieces;
}

/** A piece this long (a hostile file name, a path without slashes) wraps anywhere rather than widen the table past the page. */
const LONG = 48;

/**
 * An id, a model name, a file name or an endpoint: it wraps only after `:`, `/` or a space, so a line
 * never ends on a fragment of it (`ftjob-` / `R1I7…`, `gpt-4o-mini-2024-07-` / `18`), and is never cut.
 */
export function Identifier(props: {
  text: string;
  className?: string /** In a line of text (a link, a list): a span. */;
  inline?: boolean;
}) {
  const Tag = props.inline ? "span" : "div";
  return (
    <Tag className={props.className ? `identifier ${props.className}` : "identifier"}>
      {/* the pieces of one fixed text, never reordered: their index is their key */}
      {identifierPieces(props.text).map((p, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          <span className={p.length > LONG ? "long" : undefined}>{p}</span>
        </Fragment>
      ))}
    </Tag>
  );
}
