import t from 'tap'
import type { Test } from 'tap'
import type { Page } from 'playwright-core'
import { addAuthenticator, launchChromium } from './helpers/chromium.js'
import { examplePages, PASSWORD } from './helpers/example-pages.js'
import { startExampleServer } from './helpers/example-server.js'
import { openTab, screenshot, setUserVerified } from './helpers/tab.js'
import { clearCeremonyLog, recordCeremonies, waitForCeremonies } from './helpers/web-authn-spies.js'

// Passkey sign-in on the example's log-in form (`passkeySignIn: true`): the passkeys in the email
// field's autofill (conditional mediation) and the "Sign in with a passkey" button (the modal prompt).
// Chromium's virtual authenticator answers a conditional request at once with its first discoverable
// passkey while presence is simulated (a user who picks it right away); with presence not simulated,
// the request waits, as for a user who has not picked a passkey (then re-enabling presence does not
// answer it, a new request is needed).

t.setTimeout(120_000)
const browser = await launchChromium(t)
const { origin } = await startExampleServer(t)
const { newEmail, me, status, signUpWithPasskey, logIn } = examplePages(origin)
const startPath = '/passkey/flex/v1/apps/passkey-mfa-example/authenticate/transactions/webauthn/start'
const finishPath = '/passkey/flex/v1/apps/passkey-mfa-example/authenticate/transactions/webauthn/finish'

/** The tab's POSTs to the plugin from now on, as `path body`. */
const posts = (page: Page): string[] => {
  const sent: string[] = []
  page.on('request', (request) => {
    const { pathname } = new URL(request.url())
    if (request.method() === 'POST' && pathname.startsWith('/passkey/')) sent.push(pathname === finishPath ? pathname : `${pathname} ${request.postData() ?? ''}`)
  })
  return sent
}

/**
 * Ends the tab's session (as the account page's "Log out" does) and opens the log-in page, returning
 * once it commits: an autofill the authenticator answers at once may sign in and leave the page
 * before it has loaded.
 */
const logOutToLogIn = async (page: Page): Promise<void> => {
  // Off the account page first, whose own script would leave it once the session ends.
  await page.goto('about:blank')
  const loggedOut = await page.context().request.post(`${origin}/passkey/logout`, { headers: { origin } })
  if (!loggedOut.ok()) throw new Error(`logout failed: ${loggedOut.status()}`)
  await page.goto(origin, { waitUntil: 'commit' })
}

/**
 * A new user who signed up with a passkey in a fresh tab (ceremonies recorded, log cleared); with
 * `waiting`, the authenticator then leaves requests unanswered, like a user who has not picked yet.
 */
const signedUpTab = async (t: Test, { waiting = false, passkeyAutofill = true } = {}) => {
  const { page, cdp } = await openTab(t, browser, { passkeyAutofill })
  await recordCeremonies(page)
  const authenticatorId = await addAuthenticator(cdp)
  const email = newEmail()
  await signUpWithPasskey(page, email)
  if (waiting) await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false })
  await clearCeremonyLog(page)
  return { page, cdp, authenticatorId, email }
}

t.test('autofill: the passkey the browser offers in the email field signs in, without a password', async (t) => {
  const { page, cdp, authenticatorId } = await signedUpTab(t)
  const [credential] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials
  t.ok(credential.isResidentCredential, 'the enrolled passkey is discoverable')

  t.match(await (await fetch(origin)).text(), /id="login-email"[^>]*autocomplete="username webauthn"|autocomplete="username webauthn"[^>]*id="login-email"/,
    'the email field offers passkeys')
  const sent = posts(page)
  await logOutToLogIn(page)
  await page.waitForURL(`${origin}/account`)
  t.match(await status(page), { state: 'authenticated', passkeySignIn: true })
  t.equal(await me(page), 200, 'signed in with the passkey alone')
  const [start, finish, signIn] = sent
  t.same([start, finish], [`${startPath} {}`, finishPath], 'the engine\'s start without a transaction, then its finish')
  t.match(signIn, /^\/passkey\/sign-in \{"nonce":"[\w-]+"\}$/, 'then POST /sign-in with the nonce')
  t.same(await waitForCeremonies(page, 2), ['conditional started', 'conditional resolved'], 'one conditional request')
})

t.test('the password log-in while the autofill waits: it ends the request, and a refused password offers the passkeys again', async (t) => {
  // The user does not pick the passkey the autofill offers.
  const { page, cdp, authenticatorId, email } = await signedUpTab(t, { waiting: true })
  const sent = posts(page)
  await logOutToLogIn(page)
  t.same(await waitForCeremonies(page, 1), ['conditional started'], 'the autofill request waits')

  await page.locator('#login-email').fill(email)
  await page.locator('#login-password').fill('not the password')
  await page.locator('#login-password').press('Enter')
  await page.getByText('Wrong email or password').waitFor()
  t.same(await waitForCeremonies(page, 3), ['conditional started', 'conditional AbortError', 'conditional started'],
    'the password log-in ended the request; refused, the form offers the passkeys again')

  await logIn(page, email)
  t.same((await waitForCeremonies(page, 4)).slice(3), ['conditional AbortError'], 'the password log-in ended it again')
  t.match(await status(page), { state: 'first-factor', next: 'authenticate' })
  await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true })
  await page.getByRole('button', { name: 'Use my passkey' }).click()
  await page.waitForURL(`${origin}/account`)
  t.equal(await me(page), 200, 'signed in with the password and the passkey step')
  t.notOk(sent.some((post) => post.startsWith('/passkey/sign-in')), 'no passkey sign-in')
})

t.test('the "Sign in with a passkey" button: the browser\'s passkey prompt, in place of the waiting autofill', async (t) => {
  const { page, cdp, authenticatorId } = await signedUpTab(t, { waiting: true })
  await logOutToLogIn(page)
  await waitForCeremonies(page, 1)
  const button = page.getByRole('button', { name: 'Sign in with a passkey' })
  await button.waitFor()
  await screenshot(page, 'example-sign-in-passkey')

  // The user dismisses the prompt: the form says so, and offers the passkeys in the autofill again.
  await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true })
  await setUserVerified(cdp, authenticatorId, false)
  await button.click()
  const message = page.locator('#login-form .message')
  await page.getByText('The passkey request was cancelled or timed out.').waitFor()
  t.equal(await message.textContent(), 'The passkey request was cancelled or timed out. Try again, or log in with your password.')
  t.ok(await button.isEnabled(), 'the button works again')

  await setUserVerified(cdp, authenticatorId, true)
  const sent = posts(page)
  await button.click()
  await page.waitForURL(`${origin}/account`)
  t.equal(await me(page), 200, 'signed in with the passkey alone')
  t.same(sent.map((post) => post.split(' ')[0]), [startPath, finishPath, '/passkey/sign-in'])
  const log = await waitForCeremonies(page, 1)
  t.equal(log.filter((entry) => entry === 'optional started').length, 2, 'two modal requests')
  t.ok(log.includes('conditional AbortError'), 'the button ended the waiting autofill request')
})

t.test('a browser without passkey autofill: the button still signs in, and the password log-in is untouched', async (t) => {
  const { page, email } = await signedUpTab(t, { passkeyAutofill: false })
  await logOutToLogIn(page)
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
  await page.waitForURL(`${origin}/account`)
  t.same(await waitForCeremonies(page, 2), ['optional started', 'optional resolved'], 'no conditional request')

  await logOutToLogIn(page)
  await page.locator('#login-email').fill(email)
  await page.locator('#login-password').fill(PASSWORD)
  await page.locator('#login-password').press('Enter')
  await page.waitForURL(`${origin}/passkey-step`)
  t.match(await status(page), { state: 'first-factor', next: 'authenticate' })
})
