import { formatDate, sessionEnded, showMessage } from '/assets/common.js'

/**
 * The account page's trusted browsers (shown when the server has them on): each with when it was
 * trusted, last used and until when, “This browser” marked, a Revoke button each and “Revoke all”.
 * Revoking needs no passkey check: it only takes a shortcut away.
 *
 * @param {import('/passkey/client.js').PasskeyMfaClient} client
 * @returns {{ load: () => Promise<void> }}
 */
export function trustedBrowsersCard (client) {
  const card = document.getElementById('trusted')
  const title = document.getElementById('trusted-title')
  const list = document.getElementById('trusted-browsers')
  const message = document.getElementById('trusted-message')
  const empty = document.getElementById('no-trusted')
  const revokeAll = document.getElementById('revoke-all-browsers')
  const template = document.getElementById('trusted-browser-template')

  async function load () {
    const { trustedBrowserLifetimeMs } = await client.status()
    card.hidden = trustedBrowserLifetimeMs === null
    if (card.hidden) return
    list.setAttribute('aria-busy', 'true')
    const browsers = await client.listTrustedBrowsers()
    list.replaceChildren(...browsers.map(render))
    empty.hidden = browsers.length > 0
    revokeAll.hidden = browsers.length === 0
    list.setAttribute('aria-busy', 'false')
  }

  function render (browser) {
    const item = template.content.firstElementChild.cloneNode(true)
    const name = browser.current ? `${browser.name} (this browser)` : browser.name
    item.dataset.id = browser.id
    item.querySelector('.browser-name').textContent = browser.name
    item.querySelector('.current').hidden = !browser.current
    item.querySelector('.created').textContent = formatDate(browser.createdAt)
    item.querySelector('.last-used').textContent = formatDate(browser.lastUsedAt)
    item.querySelector('.expires').textContent = formatDate(browser.expiresAt)
    const revoke = item.querySelector('.revoke')
    revoke.setAttribute('aria-label', `Revoke ${name}`)
    revoke.addEventListener('click', () => run(revoke, () => client.revokeTrustedBrowser(browser.id),
      `Revoked ${browser.current ? 'this browser' : `“${browser.name}”`}: its next log-in asks for your passkey.`))
    return item
  }

  /** Runs a revocation with `button` disabled, reloads the list and says `done`; the focus goes to the card's title. */
  async function run (button, revoke, done) {
    button.disabled = true
    try {
      await revoke()
      await load()
      showMessage(message, done, 'success')
      title.focus()
    } catch (error) {
      if (sessionEnded(error)) return location.assign('/')
      showMessage(message, error?.code === 'network'
        ? 'The server could not be reached, so nothing was revoked. Check your connection and try again.'
        : 'Revoking did not work, so nothing changed. Please try again.', 'error')
      button.disabled = false
    }
  }

  revokeAll.addEventListener('click', () => {
    if (!confirm('Revoke all trusted browsers? Each will ask for your passkey at its next log-in.')) return
    run(revokeAll, () => client.revokeTrustedBrowsers(), 'Revoked all trusted browsers: each asks for your passkey at its next log-in.')
  })

  return { load }
}
