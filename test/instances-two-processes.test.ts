import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { HttpBrowser } from './helpers/instance-browser.js'
import type { HttpAnswer } from './helpers/instance-browser.js'
import { passkeyCeremony, runCeremony, signInOn, signUpOn, startPasskeyStep } from './helpers/instance-ceremonies.js'
import { INSTANCE_LIMITS, INSTANCE_SYNC_MS, startInstances } from './helpers/instance-process.js'
import type { Instance } from './helpers/instance-process.js'
import { INSTANCES_REDIS_URL, redisReachable } from './helpers/instance-redis.js'
import { PREFIX } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { freshPostgresSchema, postgresReachable } from './helpers/stores.js'

/** Parallel redemptions of one nonce sent to each instance. */
const RACERS_PER_INSTANCE = 4
/** The longest the test waits for an instance to learn of a logout made on another (many sync intervals). */
const WAIT_MS = 5_000

/** `GET /protected` on `instance` with exactly the cookies of `saved` (whatever the answer sets is dropped). */
async function protectedAnswer (instance: Instance, saved: HttpBrowser): Promise<HttpAnswer> {
  return await saved.clone().get(`${instance.url}/protected`)
}

/** `GET /protected` on `instance` with `saved`, repeated until it is refused or `WAIT_MS` passed; the last answer. */
async function refusedWithin (instance: Instance, saved: HttpBrowser): Promise<HttpAnswer> {
  const until = Date.now() + WAIT_MS
  let answer = await protectedAnswer(instance, saved)
  while (answer.statusCode !== 401 && Date.now() < until) {
    await sleep(INSTANCE_SYNC_MS / 2)
    answer = await protectedAnswer(instance, saved)
  }
  return answer
}

/** How many times `issueToken` was called on all `instances` together. */
async function tokensIssued (instances: Instance[]): Promise<number> {
  const answers = await Promise.all(instances.map(async (instance) => await new HttpBrowser().get(`${instance.url}/issued`)))
  return answers.reduce((sum, answer) => sum + (answer.body.issued as string[]).length, 0)
}

t.test('two app processes on one PostgreSQL schema and one Redis', async (t) => {
  if (!await postgresReachable(t)) return
  const redisUrl = await redisReachable(t) ? INSTANCES_REDIS_URL : null
  const [a, b] = await startInstances(t, { schema: freshPostgresSchema(t), redisUrl }, ['A', 'B'])

  t.test('a passkey registered on one instance signs in on the other', async (t) => {
    const authenticator = new SoftwareAuthenticator()
    const signUp = await signUpOn(a, new HttpBrowser(), 'alice', authenticator)
    t.same(signUp.body, { state: 'authenticated', auth_token: 'token-for-alice' }, 'sign-up on A')
    const browser = new HttpBrowser()
    const signIn = await signInOn(b, browser, 'alice', authenticator)
    t.equal(signIn.statusCode, 200)
    t.same(signIn.body, { state: 'authenticated', auth_token: 'token-for-alice' }, 'B verifies the passkey registered on A')
    for (const instance of [a, b]) {
      const answer = await browser.get(`${instance.url}/protected`)
      t.equal(answer.statusCode, 200, `the session passes the guard of ${instance.name}`)
      t.same(answer.body, { externalId: 'alice' })
    }
  })

  t.test('each request of one sign-in may reach another instance', async (t) => {
    const authenticator = new SoftwareAuthenticator()
    await signUpOn(b, new HttpBrowser(), 'bob', authenticator)
    const browser = new HttpBrowser()
    const transactionId = await startPasskeyStep(a, browser, 'bob', 'authenticate')
    const nonce = await passkeyCeremony('authenticate', authenticator, transactionId, b, a)
    const verify = await browser.post(`${b.url}${PREFIX}/verify`, { nonce })
    t.equal(verify.statusCode, 200, 'transaction on A, ceremony start on B and finish on A, verify on B')
    t.same(verify.body, { state: 'authenticated', auth_token: 'token-for-bob' })
    t.equal((await browser.get(`${a.url}/protected`)).statusCode, 200)
  })

  t.test('one nonce redeemed in parallel on both instances: exactly one success and one token', async (t) => {
    const authenticator = new SoftwareAuthenticator()
    await signUpOn(a, new HttpBrowser(), 'carol', authenticator)
    const browser = new HttpBrowser()
    const nonce = await passkeyCeremony('authenticate', authenticator, await startPasskeyStep(a, browser, 'carol', 'authenticate'), b)
    const issuedBefore = await tokensIssued([a, b])

    const racers = Array.from({ length: RACERS_PER_INSTANCE }, () => [a, b]).flat()
    const answers = await Promise.all(racers.map(async (instance) => await browser.post(`${instance.url}${PREFIX}/verify`, { nonce })))
    const successes = answers.filter((answer) => answer.statusCode === 200)
    t.equal(successes.length, 1, `one of ${answers.length} redemptions succeeds`)
    t.same(successes[0]?.body, { state: 'authenticated', auth_token: 'token-for-carol' })
    t.same(
      answers.filter((answer) => answer.statusCode !== 200).map(({ statusCode, body }) => ({ statusCode, code: body.code })),
      Array(answers.length - 1).fill({ statusCode: 401, code: 'FST_PASSKEY_MFA_NONCE_INVALID' }),
      'every other one is refused as a spent nonce'
    )
    t.equal(await tokensIssued([a, b]) - issuedBefore, 1, 'issueToken was called once on both instances together')
  })

  t.test('a logout on one instance is seen by the other within the sync interval', async (t) => {
    const browser = new HttpBrowser()
    await signUpOn(a, browser, 'dave', new SoftwareAuthenticator())
    const saved = browser.clone()
    t.equal((await protectedAnswer(b, saved)).statusCode, 200, 'B accepts the session made on A')

    t.same((await browser.post(`${a.url}${PREFIX}/logout`)).body, { state: 'anonymous' })
    const onA = await protectedAnswer(a, saved)
    t.same([onA.statusCode, onA.body.code], [401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED'], 'A refuses the saved cookie at once')
    const onB = await refusedWithin(b, saved)
    t.same([onB.statusCode, onB.body.code], [401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED'], `B refuses the saved cookie within ${WAIT_MS} ms`)
  })

  t.test('sign out everywhere on one instance ends the user\'s sessions on the other, not later ones', async (t) => {
    const authenticator = new SoftwareAuthenticator()
    const here = new HttpBrowser()
    await signUpOn(a, here, 'gina', authenticator)
    const elsewhere = new HttpBrowser()
    t.equal((await signInOn(b, elsewhere, 'gina', authenticator)).statusCode, 200, 'a second device signed in on B')
    const saved = elsewhere.clone()

    t.same((await here.post(`${a.url}${PREFIX}/logout`, { everywhere: true })).body, { state: 'anonymous' })
    const onB = await refusedWithin(b, saved)
    t.same([onB.statusCode, onB.body.code], [401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED'], `B refuses the other device within ${WAIT_MS} ms`)
    const later = new HttpBrowser()
    t.equal((await signInOn(b, later, 'gina', authenticator)).statusCode, 200)
    t.equal((await protectedAnswer(a, later)).statusCode, 200, 'a session begun afterwards passes on both instances')
    t.equal((await protectedAnswer(b, later)).statusCode, 200)
  })

  t.test('failed passkey attempts on both instances count against one limit per account', { skip: redisUrl === null && 'needs Redis' }, async (t) => {
    const { failedAttemptsPerAccount, lockoutMs } = INSTANCE_LIMITS
    const authenticator = new SoftwareAuthenticator()
    // Redis outlives the schema: an account of its own for every run.
    const [erin, frank] = ['erin', 'frank'].map((name) => `${name}-${randomBytes(4).toString('hex')}`)
    await signUpOn(a, new HttpBrowser(), erin, authenticator)
    for (let attempt = 0; attempt < failedAttemptsPerAccount; attempt++) {
      const instance = [a, b][attempt % 2]
      const transactionId = await startPasskeyStep(instance, new HttpBrowser(), erin, 'authenticate')
      const finish = await runCeremony('authenticate', authenticator, transactionId, instance, instance, { flipSignatureBit: true })
      t.same([finish.statusCode, finish.body.code], [401, 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED'], `failed attempt ${attempt + 1} on ${instance.name}`)
    }
    for (const instance of [a, b]) {
      const browser = new HttpBrowser()
      await browser.post(`${instance.url}/login`, { externalId: erin })
      const refused = await browser.post(`${instance.url}${PREFIX}/authenticate`)
      t.same([refused.statusCode, refused.body.code], [429, 'FST_PASSKEY_MFA_RATE_LIMITED'], `${instance.name} refuses the next attempt`)
      const retryAfter = Number(refused.headers.get('retry-after'))
      t.ok(retryAfter > 0 && retryAfter <= lockoutMs / 1000, `with Retry-After (${retryAfter} s)`)
    }
    await signUpOn(b, new HttpBrowser(), frank, authenticator)
    t.equal((await signInOn(a, new HttpBrowser(), frank, authenticator)).statusCode, 200, 'another account is not limited')
  })
})
