import { PasskeyMfaClient } from '/passkey/client.js'
import { APP_ID, describeError, formatDate, sessionEnded, showMessage } from '/assets/common.js'

const client = new PasskeyMfaClient({ prefix: '/passkey', appId: APP_ID })
const list = document.getElementById('passkeys')
const message = document.getElementById('account-message')
const onlyPasskey = document.getElementById('only-passkey')
const template = document.getElementById('passkey-template')
const addButton = document.getElementById('add-passkey')

/** Shows the failure of a passkey operation; an ended session goes back to the log-in page. */
function fail (error) {
  if (sessionEnded(error)) {
    location.assign('/')
    return
  }
  showMessage(message, describeError(error), 'error')
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
    try {
      await client.renamePasskey(passkey.id, newName)
      await refresh()
      showMessage(message, `Renamed to “${newName}”.`, 'success')
      list.querySelector(`[data-id="${CSS.escape(passkey.id)}"] .rename`)?.focus()
    } catch (error) {
      fail(error)
    }
  })
  removeButton.addEventListener('click', async () => {
    if (!confirm(`Remove the passkey “${passkey.name}”? You will not be able to sign in with it any more.`)) return
    try {
      await client.removePasskey(passkey.id)
      await refresh()
      showMessage(message, `Removed “${passkey.name}”.`, 'success')
      addButton.focus()
    } catch (error) {
      fail(error)
    }
  })
  return item
}

addButton.addEventListener('click', async () => {
  addButton.disabled = true
  showMessage(message, 'Follow your browser’s prompt to create the passkey…')
  try {
    await client.addPasskey()
    await refresh()
    showMessage(message, 'Passkey added.', 'success')
  } catch (error) {
    fail(error)
  } finally {
    addButton.disabled = false
  }
})

document.getElementById('logout').addEventListener('click', async () => {
  await client.logout().catch(() => {})
  location.assign('/')
})

Promise.all([loadEmail(), refresh()]).catch(fail)
