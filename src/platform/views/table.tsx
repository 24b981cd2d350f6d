import type { ComponentChildren } from 'preact';

/** One column of a stacked table: its heading (also each cell's label when rows stack) and what a row shows in it. */
export interface Column<R> {
  label: string;
  cell: (row: R) => ComponentChildren;
}

/**
 * A data table that stacks into labelled rows on narrow screens (the USWDS
 * stacked table): column headings, each cell labelled with its column for
 * the stacked layout, and the first column heading its row unless
 * `rowHeader` is false. The caption is for screen readers.
 */
export function StackedTable<R>({ caption, columns, rows, rowHeader = true }: { caption: string; columns: Column<R>[]; rows: R[]; rowHeader?: boolean }) {
  return (
    <table class="usa-table usa-table--borderless usa-table--stacked convene-full">
      <caption class="usa-sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col">{c.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            {columns.map((c, i) =>
              i === 0 && rowHeader ? (
                <th scope="row" data-label={c.label}>
                  {c.cell(r)}
                </th>
              ) : (
                <td data-label={c.label}>{c.cell(r)}</td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
