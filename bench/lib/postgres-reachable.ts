import pg from 'pg'
import { PG_URL } from './config.js'

/** `null` when PostgreSQL answers at `PG_URL`, else why not. */
export async function postgresUnreachable (): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.end()
    return null
  } catch (error) {
    return `PostgreSQL unreachable at ${PG_URL}: ${(error as Error).message}`
  }
}
