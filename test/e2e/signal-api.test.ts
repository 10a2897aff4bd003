import t from 'tap'
import type { Test } from 'tap'
import type { CDPSession, Page } from 'playwright-core'
import { startBrowserApp } from './helpers/browser-app.js'
import { addAuthenticator, launchChromium, openClientTab, within } from './helpers/chromium.js'
import type { ClientWindow } from './helpers/chromium.js'
import { examplePages } from './helpers/example-pages.js'
import { startExampleServer } from './helpers/example-server.js'
import { openTab, screenshot } from './helpers/tab.js'
import { addUnknownPasskey, removeSignalApi, signalCalls, spyOnSignals } from './helpers/web-authn-spies.js'

// The WebAuthn Signal API (Chrome and Edge 132+, Safari 26+, not Firefox), with spies in place of the
// page's `PublicKeyCredential.signal*` methods: what the client tells the browser after a passkey
// sign-in with a passkey the server does not know, after listing or removing passkeys, and with the
// host's `currentUserDetails`; and a browser without those methods, where the same calls raise no error.

const browser = await launchChromium(t)
const example = await startExampleServer(t)
const server = await startBrowserApp(t, { passkeySignIn: true })
const { newEmail, passkeyNames, signUpWithPasskey, logIn } = examplePages(example.origin)

/** The virtual authenticator's credentials, with their IDs and user handles in base64url. */
const credentialsOf = async (cdp: CDPSession, authenticatorId: string) => {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
  return credentials.map((credential) => ({
    ...credential,
    id: Buffer.from(credential.credentialId, 'base64').toString('base64url'),
    user: Buffer.from(credential.userHandle ?? '', 'base64').toString('base64url')
  }))
}

/** The latest recorded call of `method`'s options. */
const lastCall = async (page: Page, method: string): Promise<Record<string, unknown> | undefined> => {
  return (await signalCalls(page)).filter((call) => call.method === method).at(-1)?.options
}

t.test('the example: removing a passkey signals the ones left; signing in with the removed one says so and signals it', async (t) => {
  const { page, cdp } = await openTab(t, browser)
  await spyOnSignals(page)
  page.on('dialog', (dialog) => { dialog.accept().catch(() => {}) })
  const phone = await addAuthenticator(cdp)
  const email = newEmail()
  await signUpWithPasskey(page, email)
  await passkeyNames(page, 1)
  const [removed] = await credentialsOf(cdp, phone)
  t.same(await lastCall(page, 'signalAllAcceptedCredentials'), { rpId: 'localhost', userId: removed.user, allAcceptedCredentialIds: [removed.id] },
    'the account page\'s list signals the passkey, for the user handle the authenticator holds')

  // Signed in again with the phone's passkey (the autofill picks it), a laptop adds a passkey (no
  // further check: the sign-in was one), then the phone's is removed on the account page.
  await page.evaluate(async () => { await fetch('/passkey/logout', { method: 'POST' }) })
  await page.goto(example.origin)
  await page.waitForURL(`${example.origin}/account`)
  await passkeyNames(page, 1)
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: phone })
  const laptop = await addAuthenticator(cdp)
  await page.getByRole('button', { name: 'Add a passkey' }).click()
  await passkeyNames(page, 2)
  const [kept] = await credentialsOf(cdp, laptop)
  const { passkeys } = await (await page.request.get(`${example.origin}/passkey/passkeys`)).json() as { passkeys: Array<{ id: string, credentialId: string }> }
  const removedId = passkeys.find((passkey) => passkey.credentialId === removed.id)?.id ?? ''
  await page.locator(`[data-id="${removedId}"] .remove`).click()
  await passkeyNames(page, 1)
  t.same(await lastCall(page, 'signalAllAcceptedCredentials'), { rpId: 'localhost', userId: removed.user, allAcceptedCredentialIds: [kept.id] },
    'after the removal, the browser hears which passkey is left')
  t.equal(await lastCall(page, 'signalUnknownCredential'), undefined)

  // The phone comes back with the removed passkey, and its autofill offers it on the log-in page.
  await page.evaluate(async () => { await fetch('/passkey/logout', { method: 'POST' }) })
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: laptop })
  const phoneAgain = await addAuthenticator(cdp)
  await cdp.send('WebAuthn.addCredential', { authenticatorId: phoneAgain, credential: removed })
  await page.goto(example.origin)
  const message = page.locator('#login-form .message')
  await page.getByText('This passkey is no longer registered here.').waitFor()
  t.equal(await message.textContent(), 'This passkey is no longer registered here. Sign in with your password.')
  t.same(await lastCall(page, 'signalUnknownCredential'), { rpId: 'localhost', credentialId: removed.id }, 'the browser hears the passkey is unknown')
  await screenshot(page, 'example-sign-in-unknown-passkey')

  await logIn(page, email)
  t.pass('the password log-in still works')
})

/** A client tab on the host app for `externalId`, with the page's Signal API spied on (or removed), and an authenticator. */
const clientTab = async (t: Test, externalId: string, signalApi: 'spied' | 'absent') => {
  server.users.set(externalId, { externalId, displayName: `${externalId}@example.com` })
  const tab = await openClientTab(t, browser, server.origin)
  await (signalApi === 'spied' ? spyOnSignals(tab.page) : removeSignalApi(tab.page))
  await tab.page.reload()
  await tab.page.waitForFunction(() => (window as Partial<ClientWindow>).passkeyMfa !== undefined)
  return { ...tab, authenticatorId: await addAuthenticator(tab.cdp) }
}

/** Enrolls `externalId` in the page (first factor, then a passkey); resolves to the list's user handle. */
const enroll = async (page: Page, externalId: string): Promise<string | null> => {
  return await within(20_000, page.evaluate(async (externalId) => {
    const { passkeyMfa: { PasskeyMfaClient }, login } = window as unknown as ClientWindow
    await login(externalId)
    await new PasskeyMfaClient().enroll()
    return (await (await fetch('/passkey/passkeys')).json()).user.id
  }, externalId))
}

/** Swaps the tab's authenticator for one holding only a passkey the server does not know; its credential ID. */
const holdUnknownPasskey = async (cdp: CDPSession, authenticatorId: string): Promise<string> => {
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId })
  return await addUnknownPasskey(cdp, await addAuthenticator(cdp))
}

t.test('the client: the list, the host\'s user details and an unknown passkey reach the browser', async (t) => {
  const { page, cdp, authenticatorId } = await clientTab(t, 'dana', 'spied')
  const userId = await enroll(page, 'dana')
  t.type(userId, 'string', 'the list names the user handle')
  const details = await server.app.mfa.currentUserDetails('dana', 'Dana Scully')
  t.same(details, { rpId: 'localhost', userId, name: 'Dana Scully', displayName: 'Dana Scully' })

  const outcome = await within(20_000, page.evaluate(async (details) => {
    const mfa = new (window as unknown as ClientWindow).passkeyMfa.PasskeyMfaClient()
    const passkeys = await mfa.listPasskeys()
    return { credentialIds: passkeys.map(({ credentialId }) => credentialId), taken: await mfa.signalCurrentUserDetails(details) }
  }, details))
  t.equal(outcome.taken, true, 'signalCurrentUserDetails resolves to true')
  t.same(await signalCalls(page), [
    { method: 'signalAllAcceptedCredentials', options: { rpId: 'localhost', userId, allAcceptedCredentialIds: outcome.credentialIds } },
    { method: 'signalCurrentUserDetails', options: details }
  ])

  const unknown = await holdUnknownPasskey(cdp, authenticatorId)
  const signIn = await within(20_000, page.evaluate(async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle } = window as unknown as ClientWindow
    return await settle(new PasskeyMfaClient().signInWithPasskey())
  }))
  t.match(signIn, { error: { code: 'rejected', serverCode: 'FST_PASSKEY_MFA_CREDENTIAL_UNKNOWN', status: 401 } })
  t.same((await signalCalls(page)).at(-1), { method: 'signalUnknownCredential', options: { rpId: 'localhost', credentialId: unknown } })

  const noPasskey = await server.app.mfa.currentUserDetails('nobody', 'Nobody')
  t.equal(noPasskey.userId, null, 'a user without a passkey has no user handle')
  const taken = await page.evaluate(async (details) => await new (window as unknown as ClientWindow).passkeyMfa.PasskeyMfaClient().signalCurrentUserDetails(details), noPasskey)
  t.equal(taken, false, 'nothing to signal for them')
  t.equal((await signalCalls(page)).length, 3, 'and no call')
})

t.test('a browser without the Signal API: listing, removing, the user details and an unknown passkey raise no error', async (t) => {
  const { page, cdp, authenticatorId } = await clientTab(t, 'erin', 'absent')
  t.same(await page.evaluate(() => ['signalUnknownCredential', 'signalAllAcceptedCredentials', 'signalCurrentUserDetails']
    .map((method) => typeof (PublicKeyCredential as unknown as Record<string, unknown>)[method])), ['undefined', 'undefined', 'undefined'])
  await enroll(page, 'erin')
  const details = await server.app.mfa.currentUserDetails('erin', 'Erin')

  // A passkey check, then a second authenticator adds a passkey and the first one is removed.
  await within(20_000, page.evaluate(async () => { await new (window as unknown as ClientWindow).passkeyMfa.PasskeyMfaClient().signIn() }))
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId })
  const second = await addAuthenticator(cdp)
  const managed = await within(20_000, page.evaluate(async (details) => {
    const { passkeyMfa: { PasskeyMfaClient }, settle } = window as unknown as ClientWindow
    const mfa = new PasskeyMfaClient()
    const added = await settle(mfa.addPasskey())
    const [first] = await mfa.listPasskeys()
    const removed = await settle(mfa.removePasskey(first.id))
    return { added, removed, left: (await mfa.listPasskeys()).length, taken: await mfa.signalCurrentUserDetails(details) }
  }, details))
  t.match(managed, { added: { value: { state: 'authenticated' } }, removed: { value: undefined }, left: 1, taken: false })
  t.notOk(managed.removed.error, 'removing resolves')

  await holdUnknownPasskey(cdp, second)
  const signIn = await within(20_000, page.evaluate(async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle } = window as unknown as ClientWindow
    return await settle(new PasskeyMfaClient().signInWithPasskey())
  }))
  t.match(signIn, { error: { name: 'PasskeyClientError', code: 'rejected', serverCode: 'FST_PASSKEY_MFA_CREDENTIAL_UNKNOWN' } }, 'the server\'s refusal, not a TypeError')
})
