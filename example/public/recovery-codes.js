import { PasskeyMfaClient } from '/passkey/client.js'
import { APP_ID, describeError, sessionEnded, showMessage } from '/assets/common.js'
import { showRecoveryCodes } from '/assets/recovery-codes-panel.js'

const client = new PasskeyMfaClient({ prefix: '/passkey', appId: APP_ID })
const message = document.getElementById('codes-message')
const makeCodes = document.getElementById('make-codes')
const button = document.getElementById('make-codes-button')

button.addEventListener('click', async () => {
  button.disabled = true
  showMessage(message, 'Confirm with your passkey when your browser asks…')
  try {
    const codes = await client.generateRecoveryCodes()
    showMessage(message, '')
    makeCodes.hidden = true
    showRecoveryCodes(document.getElementById('codes-panel'), codes, () => location.assign('/account'))
  } catch (error) {
    if (sessionEnded(error)) return location.assign('/')
    showMessage(message, error?.code === 'cancelled'
      ? 'The passkey check was cancelled or timed out, so no codes were made. Try again and confirm with your passkey.'
      : describeError(error), 'error')
    button.textContent = 'Try again'
    button.disabled = false
    button.focus()
  }
})
button.focus()
