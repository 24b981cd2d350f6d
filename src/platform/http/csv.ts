import type { T } from '../i18n/i18n.js';
import type { FastifyReply } from 'fastify';
import { stringify } from 'csv-stringify/sync';

/** Keeps spreadsheet programs from treating a cell as a formula. */
export function guardCell(v: unknown): unknown {
  return typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/**
 * Sends rows as a CSV download (UTF-8 with a byte-order mark for spreadsheets),
 * never cached by shared caches. With `t`, the header row is in the reader's
 * language (`csv.<column>`); the cells stay as data (ISO dates, plain numbers)
 * so every spreadsheet reads them the same way.
 */
export function sendCsv(reply: FastifyReply, name: string, rows: Record<string, unknown>[], columns: string[], t?: T): FastifyReply {
  const header = columns.map((c) => (t ? t(`csv.${c}`) : c));
  return (
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
      .header('cache-control', 'private, no-store')
      // Cells starting with = + - @ are prefixed so spreadsheets never run them as formulas.
      .send('\ufeff' + stringify(rows.map((r) => Object.fromEntries(columns.map((c) => [c, guardCell(r[c])]))), { header: true, columns: columns.map((key, i) => ({ key, header: header[i]! })) }))
  );
}
