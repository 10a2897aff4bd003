import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { CeremonyKind } from '../engine/store.js'
import type { MfaRuntime, RequestMfa } from '../mfa/request-mfa.js'
import { assertRecentFirstFactor, assertRecentPasskey, hasRecentPasskey } from '../mfa/factor-change.js'
import { assertCanStart } from '../mfa/state-machine.js'
import type { Authenticated } from '../mfa/state-machine.js'
import { RegisterBody, TransactionReply } from '../schemas/routes.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { syncHook } from '../sync-hook.js'
import { findUserOrFail } from './find-user.js'

/**
 * `POST /register` and `POST /authenticate`: create the transaction, with its ceremony started, and
 * record it in the session as the only one it may finish. The answer carries the WebAuthn options,
 * so the browser can run the ceremony at once and post its answer to `POST /verify` (two requests);
 * a client of Passage's wire API starts the ceremony anew on the engine routes instead. Adding a passkey to
 * a signed-in account needs a fresh check (see `assertMayAddPasskey`). Transactions are
 * capped per session and account, and each sign-in step counts as a failed attempt of the account
 * until its nonce is redeemed.
 */
export async function transactionRoutes (fastify: FastifyInstance, { runtime }: { runtime: MfaRuntime }): Promise<void> {
  const { engine, options } = runtime
  const schema = { response: { 200: TransactionReply, ...ERROR_REPLIES } }

  const start = (kind: CeremonyKind) => async function startTransaction (request: FastifyRequest): Promise<TransactionReply> {
    const mfa = request.mfa as RequestMfa
    const session = mfa.session
    const enrolling = kind === 'register' && session.level !== 'authenticated' && session.level !== 'anonymous'
    const hasPasskeys = enrolling && (await engine.listPasskeys(session.externalId)).length > 0
    assertCanStart(session, kind, hasPasskeys)
    if (kind === 'register' && session.level === 'authenticated') await assertMayAddPasskey(session)
    const { externalId } = session
    await runtime.transactionCaps?.(request)
    if (kind === 'authenticate') await runtime.limiter?.reserve(request, 'account', externalId)
    const { transactionId, publicKey } = kind === 'register'
      ? await engine.beginRegistration({
        externalId,
        passkeyDisplayName: (await findUserOrFail(options, externalId, request)).displayName,
        firstPasskeyOnly: enrolling,
        authenticatorAttachment: (request.body as RegisterBody).authenticatorAttachment
      })
      : await engine.beginAuthentication({ externalId })
    mfa.apply({ type: 'transaction', id: transactionId, kind, hasPasskeys })
    runtime.audit(request, { type: 'transaction-created', kind, externalId })
    return { transactionId, options: publicKey }
  }

  /**
   * Adding a passkey to a signed-in account is a factor change: it needs a recent passkey
   * authentication, or, for a user with no passkey to confirm with, a recent first factor.
   */
  async function assertMayAddPasskey (session: Authenticated): Promise<void> {
    const now = engine.now()
    if (hasRecentPasskey(session, now, options.factorChangeMaxAgeMs)) return
    if ((await engine.listPasskeys(session.externalId)).length === 0) assertRecentFirstFactor(session, now, options.factorChangeMaxAgeMs)
    else assertRecentPasskey(session, now, options.factorChangeMaxAgeMs)
  }

  fastify.post('/register', {
    schema: { ...schema, body: RegisterBody },
    // A registration without a body (no Content-Type) takes any authenticator.
    preValidation: syncHook((request) => { request.body ??= {} })
  }, start('register'))
  fastify.post('/authenticate', { schema }, start('authenticate'))
}
