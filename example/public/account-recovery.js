import { describeError, sessionEnded, showMessage } from '/assets/common.js'
import { showRecoveryCodes } from '/assets/recovery-codes-panel.js'

/**
 * The account page's recovery codes: how many are left, the notice of a session signed in with a
 * recovery code, and the “New recovery codes” button (the client asks for a passkey first when the
 * server wants a recent check). `fail` handles a failure to load.
 *
 * @param {import('/passkey/client.js').PasskeyMfaClient} client
 * @param {(error: unknown) => void} fail
 * @returns {{ load: () => Promise<void> }}
 */
export function recoveryCodesCard (client, fail) {
  const button = document.getElementById('new-codes')
  const message = document.getElementById('recovery-message')
  const left = document.getElementById('codes-left')

  async function load () {
    const { recoveryCodesLeft, recovered } = await client.status()
    document.getElementById('recovered-notice').hidden = !recovered
    left.textContent = recoveryCodesLeft === 0
      ? 'You have no recovery codes. Make a set, so that losing your passkey does not lock you out.'
      : `You have ${recoveryCodesLeft} recovery code${recoveryCodesLeft === 1 ? '' : 's'} left.`
    left.dataset.count = String(recoveryCodesLeft)
  }

  button.addEventListener('click', async () => {
    if (left.dataset.count !== '0' && !confirm('Make new recovery codes? Your current codes will stop working.')) return
    button.disabled = true
    showMessage(message, 'Making new codes… If your browser asks, confirm with your passkey.')
    let codes
    try {
      codes = await client.generateRecoveryCodes()
    } catch (error) {
      if (sessionEnded(error)) return location.assign('/')
      showMessage(message, error?.code === 'cancelled'
        ? 'The passkey check was cancelled or timed out, so your codes did not change. Try again and confirm with your passkey.'
        : describeError(error), 'error')
      button.disabled = false
      return
    }
    showMessage(message, '')
    left.hidden = true
    showRecoveryCodes(document.getElementById('codes-panel'), codes, () => {
      left.hidden = false
      button.disabled = false
      load().catch(fail)
      button.focus()
    })
  })

  return { load }
}
