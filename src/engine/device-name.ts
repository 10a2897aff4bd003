/** Browsers by a token of their `User-Agent`, first match wins: Edge, Opera and Samsung's also say "Chrome", Chrome says "Safari". */
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/(?:Chrome|CriOS)\//, 'Chrome'],
  [/\bSafari\//, 'Safari']
]

/** Systems by a token of their `User-Agent`, first match wins: Android also says "Linux", iOS "like Mac OS X". */
const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/\biPad\b/, 'iPad'],
  [/\biPhone\b/, 'iPhone'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMacintosh\b/, 'Mac'],
  [/\bLinux\b/, 'Linux']
]

/**
 * A passkey name from the registering browser's `User-Agent`: "Chrome on Linux", "Safari on iPhone";
 * the browser or the system alone when only one is known, `null` when neither is. The names come
 * from the tables above, so they stay within the 64 characters of a passkey name.
 *
 * @example
 * deviceName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36') // 'Chrome on Linux'
 */
export function deviceName (userAgent: string | undefined): string | null {
  const browser = find(BROWSERS, userAgent)
  const system = find(SYSTEMS, userAgent)
  if (browser !== null && system !== null) return `${browser} on ${system}`
  return browser ?? system
}

function find (table: ReadonlyArray<[RegExp, string]>, userAgent = ''): string | null {
  return table.find(([token]) => token.test(userAgent))?.[1] ?? null
}
