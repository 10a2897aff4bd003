import { postJson, showMessage } from '/assets/common.js'
import { passkeySignIn } from '/assets/passkey-sign-in.js'

const loginForm = document.getElementById('login-form')
const passkey = passkeySignIn(loginForm)

for (const form of document.querySelectorAll('form[data-url]')) {
  const isLogin = form === loginForm
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const message = form.querySelector('.message')
    const button = form.querySelector('button[type="submit"]')
    button.disabled = true
    showMessage(message, '')
    // A password log-in: the passkey request waiting in the email field's autofill ends first.
    if (isLogin) passkey.cancelAutofill()
    try {
      const { ok, body } = await postJson(form.dataset.url, Object.fromEntries(new FormData(form)))
      if (ok) {
        location.assign(body.next === 'done' ? '/account' : '/passkey-step')
        return
      }
      // The server's words fit the form: what to fix, or how long to wait (429).
      showMessage(message, body.message ?? 'Something went wrong. Please try again.', 'error')
    } catch {
      showMessage(message, 'The server could not be reached. Check your connection and try again.', 'error')
    }
    button.disabled = false
    if (isLogin) passkey.offerAutofill()
  })
}
