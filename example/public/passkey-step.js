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
    run: () => client.signIn()
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
function endSession () {
  button.hidden = true
  recovery.hidden = true
  switchAccount.textContent = 'Log in again'
  switchAccount.focus()
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
