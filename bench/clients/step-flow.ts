/** A browser's way through one product's second-factor step, against one server. */
export interface StepFlow {
  /** Makes the user and enrolls a passkey (not measured). */
  setup: () => Promise<void>
  /** Puts the browser where the step starts, e.g. right after the first factor (not measured). */
  prepare: () => Promise<void>
  /** One whole step, from its first request to the signed-in answer. */
  step: () => Promise<void>
}
