import type { FastifyInstance } from 'fastify'
import { betterAuthApp } from './better-auth.js'
import { mfaOnMemory, mfaOnPostgres, mfaOnSqlite } from './mfa-stores.js'
import { referenceApp } from './reference.js'
import { plainApp, secureSessionApp } from './secure-session.js'

const APPS = {
  'mfa-memory': mfaOnMemory,
  'mfa-sqlite': mfaOnSqlite,
  'mfa-postgres': mfaOnPostgres,
  'secure-session': secureSessionApp,
  plain: plainApp,
  reference: referenceApp,
  'better-auth': betterAuthApp
} satisfies Record<string, () => Promise<FastifyInstance>>

/** The apps a bench server process can serve. */
export type AppName = keyof typeof APPS

/** Builds the app `name`. */
export async function buildApp (name: AppName): Promise<FastifyInstance> {
  return APPS[name]()
}
