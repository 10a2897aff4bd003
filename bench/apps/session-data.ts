/** What the bench's baseline apps keep in a bare `@fastify/secure-session`. */
declare module '@fastify/secure-session' {
  interface SessionData {
    externalId: string
    challenge: string
    authenticated: boolean
  }
}

export {}
