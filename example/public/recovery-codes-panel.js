import { showMessage } from '/assets/common.js'

/**
 * Shows a new set of recovery codes in `panel` (the `.recovery-codes-panel` markup of the page) with
 * its Copy and Download buttons; `onSaved` runs when the user confirms they saved them. The codes
 * live only in the page: the server keeps their digests.
 *
 * @param {HTMLElement} panel
 * @param {string[]} codes
 * @param {() => void} onSaved
 */
export function showRecoveryCodes (panel, codes, onSaved) {
  const list = panel.querySelector('.recovery-codes')
  const message = panel.querySelector('.message')
  const items = codes.map((code) => {
    const item = document.createElement('li')
    item.textContent = code
    return item
  })
  list.replaceChildren(...items)
  showMessage(message, '')
  panel.hidden = false

  const text = [
    'Passkey MFA example: recovery codes',
    `Made ${new Date().toISOString().slice(0, 10)}. Each code signs you in once, instead of your passkey.`,
    '',
    ...codes,
    ''
  ].join('\n')
  panel.querySelector('.copy-codes').onclick = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'))
      showMessage(message, 'Copied. Paste them into your password manager or a note you keep safe.', 'success')
    } catch {
      showMessage(message, 'Copying did not work here: select the codes and copy them, or download them.', 'error')
    }
  }
  panel.querySelector('.download-codes').onclick = () => {
    const link = document.createElement('a')
    link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }))
    link.download = 'passkey-mfa-example-recovery-codes.txt'
    link.click()
    setTimeout(() => URL.revokeObjectURL(link.href), 1000)
    showMessage(message, 'Downloaded passkey-mfa-example-recovery-codes.txt.', 'success')
  }
  panel.querySelector('.codes-saved').onclick = () => {
    list.replaceChildren()
    panel.hidden = true
    onSaved()
  }
  list.focus()
}
