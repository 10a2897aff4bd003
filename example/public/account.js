import { PasskeyMfaClient } from '/passkey/client.js'
import { APP_ID, describeError, formatDate, sessionEnded, showMessage } from '/assets/common.js'
import { recoveryCodesCard } from '/assets/account-recovery.js'
import { trustedBrowsersCard } from '/assets/account-trusted-browsers.js'

const client = new PasskeyMfaClient({ prefix: '/passkey', appId: APP_ID })
const list = document.getElementById('passkeys')
const message = document.getElementById('account-message')
const sessionsMessage = document.getElementById('sessions-message')
const onlyPasskey = document.getElementById('only-passkey')
const addBackup = document.getElementById('add-backup')
const template = document.getElementById('passkey-template')
const addButton = document.getElementById('add-passkey')

/**
 * Shows the failure of a passkey operation (`cancelled`: what to say when the user dismissed the
 * prompt); an ended session goes back to the log-in page.
 */
function fail (error, cancelled = describeError(error)) {
  if (sessionEnded(error)) {
    location.assign('/')
    return
  }
  showMessage(message, error?.code === 'cancelled' ? cancelled : describeError(error), 'error')
}

/**
 * Runs a change of the user's passkeys with `button` disabled and `waiting` shown. The client asks
 * for a passkey first when the server wants a recent check (step-up).
 */
async function change (button, waiting, run, cancelled) {
  button.disabled = true
  showMessage(message, waiting)
  try {
    await run()
  } catch (error) {
    fail(error, cancelled)
  } finally {
    button.disabled = false
  }
}

async function loadEmail () {
  const response = await fetch('/me')
  if (response.status === 401) return location.assign('/')
  document.getElementById('email').textContent = (await response.json()).email
}

async function refresh () {
  list.setAttribute('aria-busy', 'true')
  const passkeys = await client.listPasskeys()
  list.replaceChildren(...passkeys.map((passkey) => render(passkey, passkeys.length)))
  onlyPasskey.hidden = passkeys.length !== 1
  addBackup.hidden = passkeys.length !== 1
  list.setAttribute('aria-busy', 'false')
}

function render (passkey, count) {
  const item = template.content.firstElementChild.cloneNode(true)
  const name = item.querySelector('.passkey-name')
  const renameButton = item.querySelector('.rename')
  const removeButton = item.querySelector('.remove')
  const form = item.querySelector('.rename-form')
  const input = form.elements.name
  const itemActions = item.querySelector('.item-actions')
  item.dataset.id = passkey.id
  name.textContent = passkey.name
  item.querySelector('.authenticator').textContent = passkey.authenticatorName ?? 'Unknown authenticator'
  if (passkey.icon !== null) {
    const icon = item.querySelector('.provider-icon')
    icon.src = passkey.icon.light
    icon.alt = passkey.authenticatorName
    icon.hidden = false
  }
  item.querySelector('.created').textContent = formatDate(passkey.createdAt)
  item.querySelector('.last-used').textContent = formatDate(passkey.lastUsedAt)
  renameButton.setAttribute('aria-label', `Rename ${passkey.name}`)
  removeButton.setAttribute('aria-label', `Remove ${passkey.name}`)
  removeButton.disabled = count === 1

  renameButton.addEventListener('click', () => {
    input.value = passkey.name
    form.hidden = false
    itemActions.hidden = true
    input.focus()
    input.select()
  })
  item.querySelector('.cancel-rename').addEventListener('click', () => {
    form.hidden = true
    itemActions.hidden = false
    renameButton.focus()
  })
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const newName = input.value.trim()
    if (newName === '') return input.focus()
    await change(form.querySelector('button[type="submit"]'), 'Saving the name… If your browser asks, confirm with your passkey.', async () => {
      await client.renamePasskey(passkey.id, newName)
      await refresh()
      showMessage(message, `Renamed to “${newName}”.`, 'success')
      list.querySelector(`[data-id="${CSS.escape(passkey.id)}"] .rename`)?.focus()
    }, 'Renaming needs a quick check with your passkey, which was cancelled or timed out, so the name did not change. Try again and confirm with your passkey.')
  })
  removeButton.addEventListener('click', async () => {
    if (!confirm(`Remove the passkey “${passkey.name}”? You will not be able to sign in with it any more.`)) return
    await change(removeButton, 'Removing the passkey… If your browser asks, confirm with your passkey.', async () => {
      await client.removePasskey(passkey.id)
      await refresh()
      showMessage(message, `Removed “${passkey.name}”.`, 'success')
      addButton.focus()
    }, 'Removing a passkey needs a quick check with your passkey, which was cancelled or timed out, so nothing was removed. Try again and confirm with your passkey.')
  })
  return item
}

addButton.addEventListener('click', async () => {
  await change(addButton, 'Follow your browser’s prompts: it may first ask for a passkey you already have, then it creates the new one…', async () => {
    await client.addPasskey()
    await refresh()
    showMessage(message, 'Passkey added.', 'success')
  }, 'A passkey prompt was cancelled or timed out, so no passkey was added. Try again: confirm with a passkey you already have if your browser asks, then create the new one.')
})

document.getElementById('logout').addEventListener('click', async () => {
  await client.logout().catch(() => {})
  location.assign('/')
})

document.getElementById('logout-everywhere').addEventListener('click', async (event) => {
  const button = event.currentTarget
  button.disabled = true
  try {
    await client.logout({ everywhere: true })
    location.assign('/')
  } catch (error) {
    showMessage(sessionsMessage, error?.code === 'network'
      ? 'The server could not be reached, so your sessions are still open. Check your connection and try again.'
      : 'Signing out everywhere did not work, so your sessions are still open. Please try again.', 'error')
    button.disabled = false
  }
})

document.getElementById('logout-others').addEventListener('click', async (event) => {
  const button = event.currentTarget
  button.disabled = true
  showMessage(sessionsMessage, 'Signing out your other devices… If your browser asks, confirm with your passkey.', 'info')
  try {
    await client.signOutOtherDevices()
    await trustedBrowsers.load()
    showMessage(sessionsMessage, 'Your other devices are signed out. This one stays signed in.', 'success')
  } catch (error) {
    showMessage(sessionsMessage, error?.code === 'cancelled'
      ? 'Signing out other devices needs a quick check with your passkey, which was cancelled or timed out, so your other sessions are still open. Try again and confirm with your passkey.'
      : error?.code === 'network'
        ? 'The server could not be reached, so your other sessions are still open. Check your connection and try again.'
        : 'Signing out other devices did not work, so your other sessions are still open. Please try again.', 'error')
  } finally {
    button.disabled = false
  }
})

const recoveryCodes = recoveryCodesCard(client, fail)
const trustedBrowsers = trustedBrowsersCard(client)

Promise.all([loadEmail(), recoveryCodes.load(), trustedBrowsers.load(), refresh()]).catch(fail)
