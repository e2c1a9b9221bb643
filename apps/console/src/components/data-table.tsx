import { Loading } from "./empty-state.js";

/** One column: its header and how a row fills its cell. */
export interface Column<T> {
  header: React.ReactNode;
  /** The header is read by screen readers only (an actions column). */
  hiddenHeader?: boolean;
  /** A number: right-aligned header and cells. */
  num?: boolean;
  /** The cells' class (`mono small`, `nowrap`...). */
  className?: string;
  cell(row: T, index: number): React.ReactNode;
}

type RowAttributes = React.HTMLAttributes<HTMLTableRowElement> & { [data: `data-${string}`]: string };

/**
 * A table in its scrolling wrapper. `rows` undefined: still loading (nothing while `error` is shown
 * elsewhere); empty: `empty`. `onRowClick` makes rows clickable; `keyboardRows` also lets Tab reach
 * them and Enter open them (when no link inside the row does it).
 */
export function DataTable<T>(props: {
  columns: readonly Column<T>[];
  rows: readonly T[] | undefined;
  rowKey(row: T, index: number): React.Key;
  error?: unknown;
  empty?: React.ReactNode;
  onRowClick?(row: T): void;
  keyboardRows?: boolean;
  rowProps?(row: T): RowAttributes;
}) {
  const { rows, onRowClick } = props;
  if (!rows) return props.error ? null : <Loading />;
  if (rows.length === 0 && props.empty) return <>{props.empty}</>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            {props.columns.map((c, i) => (
              <th key={i} className={c.num ? "num" : undefined}>
                {c.hiddenHeader ? <span className="sr-only">{c.header}</span> : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr
              key={props.rowKey(row, i)}
              className={onRowClick ? "clickable" : undefined}
              tabIndex={props.keyboardRows ? 0 : undefined}
              onClick={onRowClick ? () => onRowClick(row) : undefined}
              onKeyDown={props.keyboardRows && onRowClick ? (e) => e.key === "Enter" && onRowClick(row) : undefined}
              {...props.rowProps?.(row)}
            >
              {props.columns.map((c, j) => (
                <td key={j} className={c.num ? "num" : c.className}>
                  {c.cell(row, i)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
