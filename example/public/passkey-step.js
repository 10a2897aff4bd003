import { PasskeyMfaClient } from '/passkey/client.js'
import { APP_ID, describeError, sessionEnded, showMessage } from '/assets/common.js'

const client = new PasskeyMfaClient({ prefix: '/passkey', appId: APP_ID })
const title = document.getElementById('step-title')
const text = document.getElementById('step-text')
const message = document.getElementById('step-message')
const button = document.getElementById('step-button')
const switchAccount = document.getElementById('switch-account')

const STEPS = {
  enroll: {
    title: 'Create your passkey',
    text: 'Your account needs a passkey: your device will ask for your fingerprint, face, PIN or security key, and keeps the passkey for this site.',
    action: 'Create a passkey',
    waiting: 'Follow your browser’s prompt to create the passkey…',
    run: () => client.enroll()
  },
  authenticate: {
    title: 'Confirm it’s you',
    text: 'Your password was right. Now use your passkey to finish signing in.',
    action: 'Use my passkey',
    waiting: 'Follow your browser’s prompt to use your passkey…',
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
}

async function run (step) {
  button.disabled = true
  showMessage(message, step.waiting)
  try {
    await step.run()
    showMessage(message, 'Done. Opening your account…', 'success')
    location.assign('/account')
  } catch (error) {
    showMessage(message, describeError(error), 'error')
    if (sessionEnded(error)) {
      button.hidden = true
      switchAccount.textContent = 'Log in again'
      switchAccount.focus()
      return
    }
    button.textContent = 'Try again'
    if (error?.code === 'rate-limited') return waitOutLockout(error.retryAfterSeconds ?? 60)
    button.disabled = false
    button.focus()
  }
}

/** Keeps the button disabled while the account is locked, then offers the step again. */
function waitOutLockout (seconds) {
  setTimeout(() => {
    showMessage(message, 'You can try again now.')
    button.disabled = false
    button.focus()
  }, seconds * 1000)
}

switchAccount.addEventListener('click', async () => {
  switchAccount.disabled = true
  await client.logout().catch(() => {})
  location.assign('/')
})

start()
