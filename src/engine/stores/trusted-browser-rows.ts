/** The row of a trusted browser, the same in SQLite and PostgreSQL but for how integers come back. */
import type { TrustedBrowserRecord } from '../store.js'

/** A row of `passkey_trusted_browsers`: SQLite answers its integers as numbers, PostgreSQL its `BIGINT`s as text. */
export interface TrustedBrowserRow {
  key: string
  id: string
  external_id: string
  name: string
  created_at: number | string
  last_used_at: number | string
  expires_at: number | string
}

/** The trusted browser of `row`. */
export function toTrustedBrowser (row: TrustedBrowserRow): TrustedBrowserRecord {
  return {
    id: row.id,
    key: row.key,
    externalId: row.external_id,
    name: row.name,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    expiresAt: Number(row.expires_at)
  }
}

/** The trusted browser of `row`, or `null` when there is no row. */
export function toTrustedBrowserOrNull (row: TrustedBrowserRow | undefined): TrustedBrowserRecord | null {
  return row === undefined ? null : toTrustedBrowser(row)
}
