import { PasskeyMfaClient } from '/passkey/client.js'
import { APP_ID, describeError, sessionEnded, showMessage } from '/assets/common.js'

const client = new PasskeyMfaClient({ prefix: '/passkey', appId: APP_ID })
const title = document.getElementById('step-title')
const text = document.getElementById('step-text')
const message = document.getElementById('step-message')
const button = document.getElementById('step-button')
const switchAccount = document.getElementById('switch-account')
const recovery = document.getElementById('recovery')
const showRecovery = document.getElementById('show-recovery')
const recoveryForm = document.getElementById('recovery-form')
const recoveryMessage = document.getElementById('recovery-message')
const recoverySubmit = recoveryForm.querySelector('button[type="submit"]')
const account = document.getElementById('step-account')
const timeLeft = document.getElementById('time-left')
const trust = document.getElementById('trust')
const trustBrowser = document.getElementById('trust-browser')
/** The countdown's timer (`setInterval`). */
let countdown

const STEPS = {
  enroll: {
    title: 'Create your passkey',
    text: 'Your account needs a passkey: your device will ask for your fingerprint, face, PIN or security key, and keeps the passkey for this site.',
    action: 'Create a passkey',
    waiting: 'Follow your browser’s prompt to create the passkey…',
    done: 'Done. Next, your recovery codes…',
    next: '/recovery-codes',
    run: () => client.enroll()
  },
  authenticate: {
    title: 'Confirm it’s you',
    text: 'Your password was right. Now use your passkey to finish signing in.',
    action: 'Use my passkey',
    waiting: 'Follow your browser’s prompt to use your passkey…',
    done: 'Done. Opening your account…',
    next: '/account',
    run: () => client.signIn({ trustBrowser: !trust.hidden && trustBrowser.checked })
  }
}

async function start () {
  let status
  try {
    status = await client.status()
  } catch (error) {
    text.textContent = ''
    showMessage(message, describeError(error), 'error')
    return
  }
  if (status.next === 'done') return location.replace('/account')
  if (status.next === 'first-factor') return location.replace('/')
  const step = STEPS[status.next]
  title.textContent = step.title
  text.textContent = step.text
  button.textContent = step.action
  button.hidden = false
  button.focus()
  button.addEventListener('click', () => run(step))
  recovery.hidden = status.next !== 'authenticate'
  // Trusted browsers on (the server says for how long): the passkey sign-in may trust this browser.
  if (status.next === 'authenticate' && status.trustedBrowserLifetimeMs !== null) {
    const days = Math.round(status.trustedBrowserLifetimeMs / 86_400_000)
    document.getElementById('trust-text').textContent = `Trust this browser for ${days} day${days === 1 ? '' : 's'}`
    trust.hidden = false
  }
  await showAccount(status.pendingUntil)
}

async function run (step) {
  button.disabled = true
  showMessage(message, step.waiting)
  try {
    await step.run()
    showMessage(message, step.done, 'success')
    location.assign(step.next)
  } catch (error) {
    showMessage(message, describeError(error), 'error')
    if (sessionEnded(error)) return endSession()
    button.textContent = 'Try again'
    if (error?.code === 'rate-limited') return waitOutLockout(error.retryAfterSeconds ?? 60, button, message)
    button.disabled = false
    button.focus()
  }
}

/** The session is over (expired or signed out elsewhere): only logging in again helps. */
function endSession (action = 'Log in again') {
  clearInterval(countdown)
  button.hidden = true
  recovery.hidden = true
  account.hidden = true
  trust.hidden = true
  switchAccount.textContent = action
  switchAccount.focus()
}

/**
 * Shows whose sign-in this is and the time left to finish it, “4:59 left”, updated each second. The
 * ticking text is not announced (no live region); the expiry is, once, in the step's alert.
 */
async function showAccount (pendingUntil) {
  const end = Date.parse(pendingUntil)
  const secondsLeft = () => Math.max(0, Math.ceil((end - Date.now()) / 1000))
  const tick = () => {
    const seconds = secondsLeft()
    timeLeft.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')} left`
    if (seconds > 0) return
    title.textContent = 'Your sign-in step expired'
    text.textContent = 'For your security, the passkey step must follow the password within a few minutes.'
    showMessage(message, 'This sign-in step expired. Start over to log in again.', 'error')
    showMessage(recoveryMessage, '')
    endSession('Start over')
  }
  tick()
  countdown = setInterval(tick, 1000)
  const response = await fetch('/pending-account').catch(() => null)
  if (response?.ok !== true) return
  document.getElementById('pending-email').textContent = (await response.json()).email
  account.hidden = secondsLeft() === 0
}

/** Keeps `control` disabled while the account is locked, then says in `where` that it can be tried again. */
function waitOutLockout (seconds, control, where) {
  setTimeout(() => {
    showMessage(where, 'You can try again now.')
    control.disabled = false
    control.focus()
  }, seconds * 1000)
}

showRecovery.addEventListener('click', () => {
  recoveryForm.hidden = false
  showRecovery.hidden = true
  showRecovery.setAttribute('aria-expanded', 'true')
  recoveryForm.elements.code.focus()
})

recoveryForm.addEventListener('submit', async (event) => {
  event.preventDefault()
  const code = recoveryForm.elements.code.value.trim()
  if (code === '') return recoveryForm.elements.code.focus()
  recoverySubmit.disabled = true
  showMessage(recoveryMessage, 'Checking the code…')
  try {
    await client.recover(code)
    showMessage(recoveryMessage, 'Done. Opening your account…', 'success')
    location.assign('/account')
  } catch (error) {
    if (sessionEnded(error)) {
      showMessage(recoveryMessage, describeError(error), 'error')
      return endSession()
    }
    // A wrong or used code: the server's own words ("Unknown or already used recovery code").
    showMessage(recoveryMessage, error?.code === 'rejected' ? error.message : describeError(error), 'error')
    if (error?.code === 'rate-limited') return waitOutLockout(error.retryAfterSeconds ?? 60, recoverySubmit, recoveryMessage)
    recoverySubmit.disabled = false
    recoveryForm.elements.code.select()
  }
})

switchAccount.addEventListener('click', async () => {
  switchAccount.disabled = true
  await client.logout().catch(() => {})
  location.assign('/')
})

start()
