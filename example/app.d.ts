import type { FastifyInstance, FastifyServerOptions } from 'fastify'

/** Options of {@link buildExampleApp}. */
export interface ExampleAppOptions {
  /** Folder of the users' and passkeys' SQLite files and the session key (made if missing). */
  dataDir: string
  /** The port the app will listen on: its origin is `http://localhost:${port}`. */
  port: number
  /** Fastify's `logger` option; default `false`. */
  logger?: FastifyServerOptions['logger']
}

/** The example app, ready and not listening. */
export declare function buildExampleApp (options: ExampleAppOptions): Promise<FastifyInstance>
