import { PasskeyMfaClient } from '/passkey/client.js'
import { APP_ID, describeError, showMessage } from '/assets/common.js'

const client = new PasskeyMfaClient({ prefix: '/passkey', appId: APP_ID })

/** What to tell the user when a passkey sign-in failed (the password stays an option). */
function describeSignInError (error) {
  if (error?.code === 'cancelled') return 'The passkey request was cancelled or timed out. Try again, or log in with your password.'
  if (error?.code === 'rejected') {
    if (error.serverCode === 'FST_PASSKEY_MFA_CREDENTIAL_UNKNOWN') return 'This passkey is no longer registered here. Sign in with your password.'
    return 'This passkey did not sign you in. Try again, or log in with your password.'
  }
  return describeError(error)
}

/**
 * Passkey sign-in on the log-in `form`, when the server and the browser offer it: the passkeys in
 * the email field's autofill (`autocomplete="username webauthn"`), and the “Sign in with a passkey”
 * button (the browser's passkey prompt). The password log-in ends the autofill request first
 * (`cancelAutofill`) and, when the password is refused, offers the passkeys again (`offerAutofill`).
 */
export function passkeySignIn (form) {
  const button = form.querySelector('#passkey-sign-in')
  const message = form.querySelector('.message')
  let autofill = false

  async function signIn (options) {
    await client.signInWithPasskey(options)
    location.assign('/account')
  }

  async function offerAutofill () {
    if (!autofill) return
    try {
      await signIn({ autofill: true })
    } catch (error) {
      // Cancelled: the user logs in with the password or the button instead.
      if (error?.code !== 'cancelled') showMessage(message, describeSignInError(error), 'error')
    }
  }

  button.addEventListener('click', async () => {
    button.disabled = true
    showMessage(message, 'Follow your browser’s prompt to choose your passkey…')
    try {
      await signIn()
    } catch (error) {
      showMessage(message, describeSignInError(error), 'error')
      button.disabled = false
      offerAutofill()
    }
  })

  Promise.all([client.status(), client.passkey.canAuthenticateWithPasskey(), client.passkey.canUseConditionalMediation()])
    .then(([status, modal, conditional]) => {
      if (!status.passkeySignIn) return
      button.hidden = !modal
      autofill = conditional
      offerAutofill()
    }, () => {}) // No status: the password log-in still works.

  return { cancelAutofill: () => client.passkey.cancel(), offerAutofill }
}
