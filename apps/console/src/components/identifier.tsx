import { Fragment } from "react";

/** Pieces of an identifier: each ends after its run of `:`, `/` or spaces (`ft:` `gpt-4o-mini-2024-07-18:` `acme::` `ftjob-abc`). */
export const identifierPieces = (text: string): string[] => text.split(/(?<=[:/\s])(?![:/\s])/);

/** A piece this long (a hostile file name, a path without slashes) wraps anywhere rather than widen the table past the page. */
const LONG = 48;

/**
 * An id, a model name, a file name or an endpoint: it wraps only after `:`, `/` or a space, so a line
 * never ends on a fragment of it (`ftjob-` / `R1I7…`, `gpt-4o-mini-2024-07-` / `18`), and is never cut.
 */
export function Identifier(props: { text: string; className?: string }) {
  return (
    <div className={props.className ? `identifier ${props.className}` : "identifier"}>
      {/* the pieces of one fixed text, never reordered: their index is their key */}
      {identifierPieces(props.text).map((p, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          <span className={p.length > LONG ? "long" : undefined}>{p}</span>
        </Fragment>
      ))}
    </div>
  );
}
