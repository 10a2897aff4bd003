import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'

/**
 * What the engine knows of a passkey provider from its AAGUID: its name, from the `aaguids` package
 * (the community passkey-provider list and the FIDO metadata), and a badge icon generated from it.
 * Unknown AAGUIDs (and the all-zero one that many authenticators send) have neither.
 */

/** The page theme an icon is drawn for. */
export type IconTheme = 'light' | 'dark'

/** A provider's badge: an SVG image and a digest of it, for its `ETag` and cache-busting URL. */
export interface AuthenticatorIcon {
  svg: string
  /** 16 hex digits of the SVG's SHA-256. */
  digest: string
}

/** The `aaguids` table, loaded with `require`: its types declare an ES default export its CommonJS module lacks. */
const NAMES = new Map(Object.entries(createRequire(import.meta.url)('aaguids') as Record<string, string>))

/** Background and letter colours of a badge, by theme, for a hue derived from the AAGUID. */
const PALETTES: Record<IconTheme, (hue: number) => { background: string, letter: string }> = {
  light: (hue) => ({ background: `hsl(${hue} 55% 38%)`, letter: '#ffffff' }),
  dark: (hue) => ({ background: `hsl(${hue} 65% 72%)`, letter: '#111111' })
}

/**
 * The provider name of an AAGUID, or `null` when unknown.
 *
 * @example
 * authenticatorName('ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4') // 'Google Password Manager'
 */
export function authenticatorName (aaguid: string): string | null {
  return NAMES.get(aaguid.toLowerCase()) ?? null
}

/**
 * The badges of an AAGUID's provider for light and dark pages: the provider's initial on a colour
 * derived from the AAGUID; `null` when the provider is unknown.
 *
 * @example
 * authenticatorIcons('ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4')?.dark.svg // '<svg …>G</svg>'
 */
export function authenticatorIcons (aaguid: string): Record<IconTheme, AuthenticatorIcon> | null {
  const name = authenticatorName(aaguid)
  if (name === null) return null
  const hue = createHash('sha256').update(aaguid.toLowerCase()).digest().readUInt16BE(0) % 360
  const [initial] = name.trim().toUpperCase()
  const badge = (theme: IconTheme): AuthenticatorIcon => {
    const { background, letter } = PALETTES[theme](hue)
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
      `<rect width="64" height="64" rx="14" fill="${background}"/>` +
      `<text x="32" y="33" text-anchor="middle" dominant-baseline="central" fill="${letter}" font-size="34" font-weight="600" ` +
      `font-family="system-ui,-apple-system,'Segoe UI',Roboto,sans-serif">&#${initial!.codePointAt(0)!};</text></svg>`
    return { svg, digest: createHash('sha256').update(svg).digest('hex').slice(0, 16) }
  }
  return { light: badge('light'), dark: badge('dark') }
}
