import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { addAuthenticator, launchChromium } from './helpers/chromium.js'
import { examplePages, NEW_PASSKEY, PASSWORD } from './helpers/example-pages.js'
import { startExampleServer } from './helpers/example-server.js'
import { credentialCount, openTab, removeAuthenticator, screenshot, setUserVerified } from './helpers/tab.js'

// Eight walks through the pages in one browser: on a busy machine they take longer than tap's 60 s.
// Tabs without passkey autofill: these walks log in with the password (passkey-sign-in.test.ts has autofill).
t.setTimeout(180_000)
const browser = await launchChromium(t)
const { origin, dataDir } = await startExampleServer(t)
const { newEmail, me, status, passkeyNames, signUp, skipRecoveryCodes, signUpWithPasskey, countStepUps, logIn, logOut, notFound } = examplePages(origin)

t.test('sign up, enroll, log out, log in with password and passkey, add, rename and revoke a passkey, log out', async (t) => {
  const { page, cdp } = await openTab(t, browser, { passkeyAutofill: false })
  const phone = await addAuthenticator(cdp)
  const email = newEmail()
  const missing = notFound(page)
  // The ceremony requests of the page's network log: a passkey step is two of them.
  const ceremonyRequests: string[] = []
  page.on('request', (request) => {
    const { pathname } = new URL(request.url())
    if (/^\/passkey\/(register|authenticate|verify|flex\/)/.test(pathname)) ceremonyRequests.push(`${request.method()} ${pathname}`)
  })
  const requestsOf = async (step: () => Promise<unknown>): Promise<string[]> => {
    const from = ceremonyRequests.length
    await step()
    return ceremonyRequests.slice(from)
  }

  await page.goto(origin)
  await page.getByRole('heading', { name: 'Log in' }).waitFor()
  t.equal(await page.locator('link[rel="icon"]').getAttribute('href'), '/assets/favicon.svg')
  await screenshot(page, 'example-sign-in')
  t.equal(await me(page), 401, 'anonymous: /me refused')

  await signUp(page, email)
  const enroll = page.getByRole('button', { name: 'Create a passkey' })
  await enroll.waitFor()
  t.match(await status(page), { state: 'first-factor', next: 'enroll', hasPasskeys: false })
  t.equal(await me(page), 401, 'after sign-up (password only): /me refused')
  await screenshot(page, 'example-passkey-enroll')

  t.same(await requestsOf(async () => {
    await enroll.click()
    await skipRecoveryCodes(page)
  }), ['POST /passkey/register', 'POST /passkey/verify'], 'enrolling is two requests')
  t.same(await passkeyNames(page, 1), [NEW_PASSKEY], 'the new passkey is listed')
  t.equal(await credentialCount(cdp, phone), 1, 'the authenticator holds the passkey')
  t.equal(await me(page), 200, 'enrolled: /me answers')
  t.same(await (await page.request.get(`${origin}/me`)).json(), { email })
  await page.waitForFunction((expected) => document.getElementById('email')?.textContent === expected, email)

  await logOut(page)
  t.match(await status(page), { state: 'anonymous' })
  t.equal(await me(page), 401, 'logged out: /me refused')

  await logIn(page, email)
  const usePasskey = page.getByRole('button', { name: 'Use my passkey' })
  await usePasskey.waitFor()
  t.match(await status(page), { state: 'first-factor', next: 'authenticate', hasPasskeys: true })
  t.equal(await me(page), 401, 'after the password: /me refused')
  await page.goto(`${origin}/account`)
  t.equal(page.url(), `${origin}/passkey-step`, 'the account page sends a password-only session to the passkey step')
  await usePasskey.waitFor()
  const account = page.locator('#step-account')
  await account.waitFor()
  t.equal(await page.locator('#pending-email').textContent(), email, 'the step names the account')
  t.match(await page.locator('#time-left').textContent(), /^[45]:\d\d left$/, 'and the time left of the 5 minutes')
  await screenshot(page, 'example-passkey-authenticate')

  t.same(await requestsOf(async () => {
    await usePasskey.press('Enter')
    await page.waitForURL(`${origin}/account`)
  }), ['POST /passkey/authenticate', 'POST /passkey/verify'], 'the passkey step is two requests')
  t.equal(await me(page), 200, 'after the passkey: /me answers')
  t.same(await passkeyNames(page, 1), [NEW_PASSKEY])
  t.not(await page.locator('#passkeys .last-used').first().textContent(), 'Never', 'the passkey shows when it was last used')
  t.equal(await page.getByRole('button', { name: `Remove ${NEW_PASSKEY}` }).isDisabled(), true, 'the only passkey cannot be removed')
  await screenshot(page, 'example-account')
  t.equal(await page.locator('#add-backup').isVisible(), true, 'one passkey: the page invites a second one')

  // A second device: the first authenticator would refuse, holding an excluded credential already.
  await removeAuthenticator(cdp, phone)
  const laptop = await addAuthenticator(cdp)
  await page.getByRole('button', { name: 'Add a passkey' }).click()
  t.same(await passkeyNames(page, 2), [NEW_PASSKEY, NEW_PASSKEY])
  await page.getByText('Passkey added.').waitFor()
  t.equal(await credentialCount(cdp, laptop), 1)
  t.equal(await page.locator('#add-backup').isVisible(), false, 'two passkeys: no invitation')

  // Chromium's virtual authenticator has no provider AAGUID: give the two passkeys known ones.
  const db = new Database(join(dataDir, 'passkeys.db'))
  const ids = db.prepare('SELECT id FROM passkeys ORDER BY created_at, id').pluck().all() as string[]
  const setAaguid = db.prepare('UPDATE passkeys SET aaguid = ? WHERE id = ?')
  setAaguid.run('ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4', ids.at(-2))
  setAaguid.run('fbfc3007-154e-4ecc-8c0b-6e020557d7bd', ids.at(-1))
  db.close()
  await page.reload()
  const icons = page.locator('#passkeys .provider-icon:visible')
  await icons.nth(1).waitFor()
  t.same(await icons.evaluateAll((images) => images.map((image) => (image as HTMLImageElement).alt)), ['Google Password Manager', 'Apple Passwords'], 'each passkey shows its provider\'s icon')
  t.ok(await icons.evaluateAll((images) => images.every((image) => (image as HTMLImageElement).complete && (image as HTMLImageElement).naturalWidth > 0)), 'the icons loaded')
  await screenshot(page, 'example-account-icons')

  const second = page.locator('#passkeys li').nth(1)
  await second.getByRole('button', { name: `Rename ${NEW_PASSKEY}` }).click()
  const newName = second.getByLabel('New name')
  await newName.waitFor()
  t.equal(await newName.evaluate((input) => input === document.activeElement), true, 'the name field has the focus')
  await newName.fill('Work laptop')
  await screenshot(page, 'example-account-rename')
  await newName.press('Enter')
  await page.getByText('Renamed to “Work laptop”.').waitFor()
  t.same(await passkeyNames(page, 2), [NEW_PASSKEY, 'Work laptop'])

  page.once('dialog', (dialog) => { dialog.accept().catch(t.error) })
  await page.locator('#passkeys li').nth(0).getByRole('button', { name: `Remove ${NEW_PASSKEY}` }).click()
  await page.getByText(`Removed “${NEW_PASSKEY}”.`).waitFor()
  t.same(await passkeyNames(page, 1), ['Work laptop'])
  t.equal(await page.locator('#only-passkey').isVisible(), true, 'the page says why the last passkey cannot be removed')
  const listed = await (await page.request.get(`${origin}/passkey/passkeys`)).json()
  t.match(listed, { passkeys: [{ name: 'Work laptop' }] })
  t.equal(listed.passkeys.length, 1, 'the server lists the remaining passkey only')
  await screenshot(page, 'example-account-revoked')

  await logOut(page)
  t.equal(await me(page), 401, 'logged out again: /me refused')
  await page.goto(`${origin}/account`)
  t.equal(page.url(), `${origin}/`, 'the account page sends an anonymous session to log in')

  await logIn(page, email)
  t.equal(await me(page), 401)
  await page.getByRole('button', { name: 'Use my passkey' }).click()
  await page.waitForURL(`${origin}/account`)
  t.same(await passkeyNames(page, 1), ['Work laptop'], 'the remaining passkey signs in')
  await logOut(page)
  t.equal(await me(page), 401)
  await removeAuthenticator(cdp, laptop)

  t.same(missing, [], 'no page, script, style or icon was missing (no 404 for /favicon.ico)')
  const favicon = await page.request.get(`${origin}/assets/favicon.svg`)
  t.equal(favicon.status(), 200)
  t.equal(favicon.headers()['content-type'], 'image/svg+xml')
  const ico = await page.request.get(`${origin}/favicon.ico`, { maxRedirects: 0 })
  t.equal(ico.status(), 301, '/favicon.ico redirects to the SVG icon')
  t.equal(ico.headers().location, '/assets/favicon.svg')

  const audited = (await readFile(join(dataDir, 'audit.log'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line))
  const externalId = audited.find((event) => event.type === 'passkey-added')?.externalId as string
  const events = audited.filter((event) => event.externalId === externalId).map((event) => event.type as string)
  for (const type of ['first-factor-completed', 'transaction-created', 'ceremony-succeeded', 'passkey-added', 'passkey-renamed', 'passkey-revoked', 'logout']) {
    t.ok(events.includes(type), `the example's audit log has the user's ${type}`)
  }
})

t.test('a cancelled ceremony shows the error, changes nothing, and can be retried', async (t) => {
  const { page, cdp } = await openTab(t, browser, { passkeyAutofill: false })
  const authenticator = await addAuthenticator(cdp)
  const email = newEmail()

  await page.goto(origin)
  await page.locator('#login-email').fill(email)
  await page.locator('#login-password').fill('not the password')
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.getByText('Wrong email or password').waitFor()
  t.equal(page.url(), `${origin}/`)
  await screenshot(page, 'example-sign-in-error')

  await signUp(page, email)
  const enroll = page.getByRole('button', { name: 'Create a passkey' })
  await enroll.waitFor()
  const before = await status(page)
  await setUserVerified(cdp, authenticator, false)
  await enroll.click()
  const error = page.locator('#step-message[data-kind="error"]')
  await error.waitFor()
  t.match(await error.textContent(), /cancelled/, 'the page says the ceremony was cancelled')
  const retry = page.getByRole('button', { name: 'Try again' })
  await retry.waitFor()
  t.equal(await retry.evaluate((button) => button === document.activeElement), true, 'the retry button has the focus')
  await screenshot(page, 'example-passkey-cancelled')
  const after = await status(page)
  t.match(after, { next: 'enroll', hasPasskeys: false, pendingUntil: before.pendingUntil }, 'still enrolling, same deadline, no passkey')
  t.not(after.state, 'authenticated')
  t.equal(await me(page), 401, 'a cancelled enrollment: /me refused')
  t.equal(await credentialCount(cdp, authenticator), 0, 'no credential was created')

  await setUserVerified(cdp, authenticator, true)
  await retry.click()
  await skipRecoveryCodes(page)
  t.equal(await me(page), 200, 'the retry enrolled the passkey')
  const [created] = (await (await page.request.get(`${origin}/passkey/passkeys`)).json()).passkeys
  await logOut(page)

  await logIn(page, email)
  const usePasskey = page.getByRole('button', { name: 'Use my passkey' })
  await usePasskey.waitFor()
  const pending = await status(page)
  await setUserVerified(cdp, authenticator, false)
  await usePasskey.click()
  await error.waitFor()
  t.match(await error.textContent(), /cancelled/)
  const refused = await status(page)
  t.match(refused, { next: 'authenticate', hasPasskeys: true, pendingUntil: pending.pendingUntil })
  t.not(refused.state, 'authenticated')
  t.equal(await me(page), 401, 'a cancelled sign-in: /me refused')

  await setUserVerified(cdp, authenticator, true)
  await page.getByRole('button', { name: 'Try again' }).click()
  await page.waitForURL(`${origin}/account`)
  t.equal(await me(page), 200, 'the retry signed in')
  const [used] = (await (await page.request.get(`${origin}/passkey/passkeys`)).json()).passkeys
  t.equal(used.id, created.id)
  t.not(used.lastUsedAt, null, 'the sign-in is recorded on the passkey')
  await logOut(page)
  await removeAuthenticator(cdp, authenticator)

  const wrong = await page.request.post(`${origin}/login`, { data: { email, password: 'not the password' } })
  const unknown = await page.request.post(`${origin}/login`, { data: { email: 'nobody@example.org', password: 'not the password' } })
  t.equal(wrong.status(), 401)
  t.equal(unknown.status(), 401)
  t.same(await wrong.json(), await unknown.json(), 'a wrong password and an unknown email get the same answer')
  t.equal((await page.request.post(`${origin}/signup`, { data: { email, password: PASSWORD } })).status(), 409, 'a taken email')
})

t.test('right after sign-up, adding a passkey asks for the first one (step-up); a cancelled prompt changes nothing', async (t) => {
  const { page, cdp } = await openTab(t, browser, { passkeyAutofill: false })
  const phone = await addAuthenticator(cdp)
  const stepUps = countStepUps(page)
  await signUpWithPasskey(page, newEmail())
  t.same(await passkeyNames(page, 1), [NEW_PASSKEY])
  t.equal(stepUps(), 0, 'enrolling asks for no passkey check')

  // The enrollment was no passkey check: adding asks for the existing passkey first. Refused here.
  const add = page.getByRole('button', { name: 'Add a passkey' })
  const error = page.locator('#account-message[data-kind="error"]')
  await setUserVerified(cdp, phone, false)
  await add.click()
  await error.waitFor()
  t.match(await error.textContent(), /cancelled or timed out, so no passkey was added/, 'the page says the prompt was cancelled')
  t.equal(stepUps(), 1, 'a passkey check was asked for')
  t.same(await passkeyNames(page, 1), [NEW_PASSKEY], 'nothing was added')
  t.equal(await add.isEnabled(), true)
  await screenshot(page, 'example-account-step-up-cancelled')
  await setUserVerified(cdp, phone, true)

  // The phone answers the check; a second device, the laptop, creates the new passkey (the phone
  // would refuse: it holds an excluded credential). The devices swap once the check is done.
  // Adding is `POST /passkey/register` (refused: step-up), the check, then `POST /passkey/register` again.
  let laptop = ''
  let registers = 0
  await page.route(`${origin}/passkey/register`, async (route) => {
    if (++registers === 2) {
      await removeAuthenticator(cdp, phone)
      laptop = await addAuthenticator(cdp)
    }
    await route.continue()
  }, { times: 2 })
  // The step-up request waits for a screenshot of the page while it asks.
  let taken = (): void => {}
  const screenshotTaken = new Promise<void>((resolve) => { taken = resolve })
  await page.route(`${origin}/passkey/authenticate`, async (route) => {
    await screenshotTaken
    await route.continue()
  }, { times: 1 })
  await add.click()
  await page.getByText('it may first ask for a passkey you already have').waitFor()
  t.equal(await add.isDisabled(), true, 'no second add while one runs')
  await screenshot(page, 'example-account-step-up')
  taken()
  await page.getByText('Passkey added.').waitFor()
  t.same(await passkeyNames(page, 2), [NEW_PASSKEY, NEW_PASSKEY], 'the list shows both passkeys')
  t.equal(stepUps(), 2, 'one more passkey check, then the passkey was added')
  t.equal(await credentialCount(cdp, laptop), 1)

  // Renaming and removing within minutes of the check need no other one.
  const second = page.locator('#passkeys li').nth(1)
  await second.getByRole('button', { name: `Rename ${NEW_PASSKEY}` }).click()
  await second.getByLabel('New name').fill('Laptop')
  await second.getByLabel('New name').press('Enter')
  await page.getByText('Renamed to “Laptop”.').waitFor()
  page.once('dialog', (dialog) => { dialog.accept().catch(t.error) })
  await page.locator('#passkeys li').nth(0).getByRole('button', { name: `Remove ${NEW_PASSKEY}` }).click()
  await page.getByText(`Removed “${NEW_PASSKEY}”.`).waitFor()
  t.same(await passkeyNames(page, 1), ['Laptop'])
  t.equal(stepUps(), 2, 'the check of a minute ago covers the rename and the removal')
  await removeAuthenticator(cdp, laptop)
})

t.test('right after sign-up, renaming asks for the passkey first (step-up); a cancelled prompt says why', async (t) => {
  const { page, cdp } = await openTab(t, browser, { passkeyAutofill: false })
  const phone = await addAuthenticator(cdp)
  const stepUps = countStepUps(page)
  await signUpWithPasskey(page, newEmail())
  await page.getByRole('button', { name: `Rename ${NEW_PASSKEY}` }).click()
  const newName = page.getByLabel('New name')
  await newName.fill('Phone')

  await setUserVerified(cdp, phone, false)
  await newName.press('Enter')
  const error = page.locator('#account-message[data-kind="error"]')
  await error.waitFor()
  t.match(await error.textContent(), /^Renaming needs a quick check with your passkey, which was cancelled or timed out, so the name did not change/)
  t.same(await passkeyNames(page, 1), [NEW_PASSKEY], 'the name did not change')
  await setUserVerified(cdp, phone, true)
  await newName.press('Enter')
  await page.getByText('Renamed to “Phone”.').waitFor()
  t.same(await passkeyNames(page, 1), ['Phone'])
  t.equal(stepUps(), 2, 'each rename asked for a passkey check')
  await removeAuthenticator(cdp, phone)
})

t.test('sign out other devices keeps this one; sign out everywhere ends the sessions of every device', async (t) => {
  const phone = await openTab(t, browser, { passkeyAutofill: false })
  const phoneAuthenticator = await addAuthenticator(phone.cdp)
  const email = newEmail()
  await signUpWithPasskey(phone.page, email)

  // A laptop with the same passkey (synced, as passkey providers do), signed in too.
  const laptop = await openTab(t, browser, { passkeyAutofill: false })
  const laptopAuthenticator = await addAuthenticator(laptop.cdp)
  const [credential] = (await phone.cdp.send('WebAuthn.getCredentials', { authenticatorId: phoneAuthenticator })).credentials
  await laptop.cdp.send('WebAuthn.addCredential', { authenticatorId: laptopAuthenticator, credential })
  await laptop.page.goto(origin)
  await logIn(laptop.page, email)
  await laptop.page.getByRole('button', { name: 'Use my passkey' }).click()
  await laptop.page.waitForURL(`${origin}/account`)
  t.equal(await me(laptop.page), 200)
  await passkeyNames(phone.page, 1)
  await screenshot(phone.page, 'example-account-sessions')

  // Other devices only, from the laptop (its copy of the passkey has the latest signature counter):
  // a passkey check, which the virtual authenticator confirms, and the laptop stays in.
  await laptop.page.getByRole('button', { name: 'Sign out other devices' }).click()
  await laptop.page.getByText('Your other devices are signed out. This one stays signed in.').waitFor()
  t.equal(await me(laptop.page), 200, 'this device stays signed in')
  t.equal(await me(phone.page), 401, 'the other device is signed out')
  await screenshot(laptop.page, 'example-account-signed-out-others')
  // The phone's provider syncs the passkey (its counter) back, and the phone signs in again.
  const [synced] = (await laptop.cdp.send('WebAuthn.getCredentials', { authenticatorId: laptopAuthenticator })).credentials
  await phone.cdp.send('WebAuthn.removeCredential', { authenticatorId: phoneAuthenticator, credentialId: synced.credentialId })
  await phone.cdp.send('WebAuthn.addCredential', { authenticatorId: phoneAuthenticator, credential: synced })
  await phone.page.goto(origin)
  await logIn(phone.page, email)
  await phone.page.getByRole('button', { name: 'Use my passkey' }).click()
  await phone.page.waitForURL(`${origin}/account`)
  t.equal(await me(phone.page), 200, 'the phone signs in again')

  await phone.page.getByRole('button', { name: 'Sign out everywhere' }).click()
  await phone.page.waitForURL(`${origin}/`)
  t.equal(await me(phone.page), 401, 'this device is signed out')
  t.equal(await me(laptop.page), 401, 'the other device is signed out')
  await laptop.page.goto(`${origin}/account`)
  t.equal(laptop.page.url(), `${origin}/`, 'the other device\'s account page sends it to log in')
  await removeAuthenticator(phone.cdp, phoneAuthenticator)
  await removeAuthenticator(laptop.cdp, laptopAuthenticator)
})

t.test('a lost passkey: recovery codes saved at sign-up sign in once, and a new passkey replaces the lost one', async (t) => {
  const { page, cdp } = await openTab(t, browser, { passkeyAutofill: false, permissions: ['clipboard-read', 'clipboard-write'] })
  const phone = await addAuthenticator(cdp)
  const stepUps = countStepUps(page)
  const email = newEmail()
  await signUp(page, email)
  await page.getByRole('button', { name: 'Create a passkey' }).click()
  await page.waitForURL(`${origin}/recovery-codes`)
  t.equal(await me(page), 200, 'enrolled: signed in before the codes are made')

  // Making the codes needs a passkey check (the enrollment is none): a cancelled prompt says so.
  const make = page.getByRole('button', { name: 'Show my recovery codes' })
  await setUserVerified(cdp, phone, false)
  await make.click()
  const error = page.locator('#codes-message[data-kind="error"]')
  await error.waitFor()
  t.match(await error.textContent(), /^The passkey check was cancelled or timed out, so no codes were made\. Try again/)
  t.equal(stepUps(), 1, 'a passkey check was asked for')
  t.match(await status(page), { recoveryCodesLeft: 0 }, 'no codes were made')
  const retry = page.getByRole('button', { name: 'Try again' })
  t.equal(await retry.evaluate((button) => button === document.activeElement), true, 'the retry button has the focus')
  await screenshot(page, 'example-recovery-codes-cancelled')

  await setUserVerified(cdp, phone, true)
  await retry.click()
  const list = page.getByRole('list', { name: 'Your recovery codes' })
  await list.waitFor()
  const codes = await list.getByRole('listitem').allTextContents()
  t.equal(codes.length, 10, 'ten codes are shown')
  t.equal(new Set(codes).size, 10, 'all different')
  for (const code of codes) t.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/)
  t.equal(stepUps(), 2, 'one more passkey check made them')
  t.match(await status(page), { recoveryCodesLeft: 10 })
  await screenshot(page, 'example-recovery-codes')

  await page.getByRole('button', { name: 'Copy' }).click()
  await page.getByText('Copied.').waitFor()
  t.equal(await page.evaluate(async () => await navigator.clipboard.readText()), codes.join('\n'), 'Copy puts the codes on the clipboard')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as .txt' }).click()])
  t.equal(download.suggestedFilename(), 'passkey-mfa-example-recovery-codes.txt')
  const saved = await readFile(await download.path(), 'utf8')
  t.ok(codes.every((code) => saved.includes(`\n${code}\n`)), 'the download lists every code, one a line')

  await page.getByRole('button', { name: 'I saved them' }).click()
  await page.waitForURL(`${origin}/account`)
  await page.getByText('You have 10 recovery codes left.').waitFor()
  t.equal(await page.locator('#recovered-notice').isVisible(), false, 'a passkey sign-in shows no recovery notice')
  await logOut(page)

  // The phone is lost: its passkey is gone. The password, then a recovery code.
  await removeAuthenticator(cdp, phone)
  await logIn(page, email)
  await page.getByRole('button', { name: 'Use a recovery code' }).click()
  const codeInput = page.getByLabel('Recovery code')
  t.equal(await codeInput.evaluate((input) => input === document.activeElement), true, 'the code field has the focus')
  await codeInput.fill(codes[0].toLowerCase())
  await screenshot(page, 'example-passkey-recovery')
  await codeInput.press('Enter')
  await page.waitForURL(`${origin}/account`)
  t.equal(await me(page), 200, 'the recovery code signed in')
  const notice = page.locator('#recovered-notice')
  await notice.waitFor()
  t.equal(await notice.textContent(), 'You signed in with a recovery code. Add a new passkey, and remove the one you lost.')
  await page.getByText('You have 9 recovery codes left.').waitFor()
  t.match(await status(page), { state: 'authenticated', recovered: true, recoveryCodesLeft: 9 })
  t.same(await passkeyNames(page, 1), [NEW_PASSKEY])
  await screenshot(page, 'example-account-recovered')

  // A new device: the recovered session adds its passkey and removes the lost one, with no passkey check.
  const laptop = await addAuthenticator(cdp)
  await page.getByRole('button', { name: 'Add a passkey' }).click()
  await page.getByText('Passkey added.').waitFor()
  t.same(await passkeyNames(page, 2), [NEW_PASSKEY, NEW_PASSKEY])
  t.equal(await credentialCount(cdp, laptop), 1, 'the new device holds the new passkey')
  page.once('dialog', (dialog) => { dialog.accept().catch(t.error) })
  await page.locator('#passkeys li').nth(0).getByRole('button', { name: `Remove ${NEW_PASSKEY}` }).click()
  await page.getByText(`Removed “${NEW_PASSKEY}”.`).waitFor()
  t.same(await passkeyNames(page, 1), [NEW_PASSKEY])
  t.equal(stepUps(), 2, 'no passkey check for the recovered session\'s add and remove')
  await logOut(page)

  // A used code is refused with the server's message; the new passkey signs in.
  await logIn(page, email)
  await page.getByRole('button', { name: 'Use a recovery code' }).click()
  await page.getByLabel('Recovery code').fill(codes[0])
  await page.getByRole('button', { name: 'Sign in with the code' }).click()
  const refused = page.locator('#recovery-message[data-kind="error"]')
  await refused.waitFor()
  t.equal(await refused.textContent(), 'Unknown or already used recovery code', 'the server\'s message')
  t.equal(await me(page), 401, 'a used code: /me refused')
  await screenshot(page, 'example-passkey-recovery-refused')
  await page.getByRole('button', { name: 'Use my passkey' }).click()
  await page.waitForURL(`${origin}/account`)
  await page.getByText('You have 9 recovery codes left.').waitFor()
  t.equal(await page.locator('#recovered-notice').isVisible(), false)

  // New codes from the account page; the passkey sign-in a moment ago is the check.
  page.once('dialog', (dialog) => { dialog.accept().catch(t.error) })
  await page.getByRole('button', { name: 'New recovery codes' }).click()
  const fresh = page.getByRole('list', { name: 'Your recovery codes' })
  await fresh.waitFor()
  const newCodes = await fresh.getByRole('listitem').allTextContents()
  t.equal(newCodes.length, 10)
  t.notOk(newCodes.some((code) => codes.includes(code)), 'a new set')
  t.equal(stepUps(), 3, 'the sign-in was the only passkey check')
  t.equal(await page.getByRole('button', { name: 'New recovery codes' }).isDisabled(), true, 'no other set while these are shown')
  await screenshot(page, 'example-account-recovery-codes')
  await page.getByRole('button', { name: 'I saved them' }).click()
  await page.getByText('You have 10 recovery codes left.').waitFor()
  t.equal(await fresh.isVisible(), false, 'the codes are hidden once saved')
  await logOut(page)

  await logIn(page, email)
  await page.getByRole('button', { name: 'Use a recovery code' }).click()
  await page.getByLabel('Recovery code').fill(codes[1])
  await page.getByLabel('Recovery code').press('Enter')
  await refused.waitFor()
  t.equal(await me(page), 401, 'the old set no longer works')
  await removeAuthenticator(cdp, laptop)
})

t.test('a security key (USB, cross-platform) enrolls: the default takes any authenticator', async (t) => {
  const { page, cdp } = await openTab(t, browser, { passkeyAutofill: false })
  const { authenticatorId: securityKey } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true }
  })
  await signUpWithPasskey(page, newEmail())
  t.same(await passkeyNames(page, 1), [NEW_PASSKEY])
  t.equal(await credentialCount(cdp, securityKey), 1, 'the security key holds the passkey')
  t.equal(await me(page), 200, 'enrolled with the security key: /me answers')
  const [passkey] = (await (await page.request.get(`${origin}/passkey/passkeys`)).json()).passkeys
  t.same(passkey.transports, ['usb'])
})

t.test('a locked account: the passkey step says when to try again', async (t) => {
  const { page, cdp } = await openTab(t, browser, { passkeyAutofill: false })
  const phone = await addAuthenticator(cdp)
  const email = newEmail()
  await signUpWithPasskey(page, email)
  await logOut(page)

  // Ten passkey steps started and never finished reach the account's limit of failed attempts (10).
  await logIn(page, email)
  const started = await page.evaluate(async () => {
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) statuses.push((await fetch('/passkey/authenticate', { method: 'POST' })).status)
    return statuses
  })
  t.same(started, Array(10).fill(200))
  // A new log-in, so the session's own cap on passkey steps (10 a minute) is not what refuses.
  await page.goto(origin)
  await logIn(page, email)
  await page.getByRole('button', { name: 'Use my passkey' }).click()
  const error = page.locator('#step-message[data-kind="error"]')
  await error.waitFor()
  t.equal((await error.textContent())?.replace(/\u00a0/g, ' '), 'Too many attempts, try again in 1 minute.', 'the first lock lasts a minute')
  t.equal(await page.getByRole('button', { name: 'Try again' }).isDisabled(), true, 'no retry before the lock ends')
  await screenshot(page, 'example-passkey-locked')
  await page.getByRole('button', { name: 'Use a recovery code' }).click()
  await page.getByLabel('Recovery code').fill('7KQ2-M9XD-4HPT-W3ZA')
  await page.getByRole('button', { name: 'Sign in with the code' }).click()
  const codeError = page.locator('#recovery-message[data-kind="error"]')
  await codeError.waitFor()
  t.equal((await codeError.textContent())?.replace(/\u00a0/g, ' '), 'Too many attempts, try again in 1 minute.', 'a recovery code is locked out the same way')
  t.equal(await page.getByRole('button', { name: 'Sign in with the code' }).isDisabled(), true, 'no code before the lock ends')
  await removeAuthenticator(cdp, phone)
})
