import { OptionsInvalidError } from './errors.js'

/** Throws `FST_PASSKEY_MFA_OPTIONS_INVALID` with `message` unless `condition` holds. */
export function checkOption (condition: boolean, message: string): asserts condition {
  if (!condition) throw new OptionsInvalidError(message)
}

/** Checks that option `name` is a whole number of milliseconds in 1..`max`. */
export function checkDuration (value: number, name: string, max: number): void {
  checkOption(Number.isInteger(value) && value > 0 && value <= max, `${name} must be a positive integer of at most ${max}`)
}
