import Database from 'better-sqlite3'
import { randomBytes, randomUUID, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const scrypt = promisify(scryptCallback)
const SCRYPT = { N: 16384, r: 8, p: 1 }
const KEY_LENGTH = 32

/**
 * The example's users, in an SQLite file: a random UUID as the external ID the passkeys are stored
 * under (never the email), and a scrypt password hash (`scrypt$N$r$p$salt$hash`).
 */
export class Users {
  #db
  #byEmail
  #byExternalId
  #insert
  #dummyHash

  /** @param {string} filename */
  constructor (filename) {
    this.#db = new Database(filename)
    this.#db.pragma('journal_mode = WAL')
    this.#db.exec(`CREATE TABLE IF NOT EXISTS users (
      external_id TEXT PRIMARY KEY,
      email TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`)
    this.#byEmail = this.#db.prepare('SELECT external_id, email, password_hash FROM users WHERE email = ?')
    this.#byExternalId = this.#db.prepare('SELECT external_id, email FROM users WHERE external_id = ?')
    this.#insert = this.#db.prepare('INSERT INTO users (external_id, email, password_hash, created_at) VALUES (?, ?, ?, ?)')
    this.#dummyHash = hashPassword(randomBytes(16).toString('hex'))
  }

  /** Creates a user; `null` when the email is taken. */
  async create (email, password) {
    const hash = await hashPassword(password)
    const externalId = randomUUID()
    try {
      this.#insert.run(externalId, email, hash, new Date().toISOString())
    } catch (error) {
      if (error.code === 'SQLITE_CONSTRAINT_UNIQUE') return null
      throw error
    }
    return toUser({ external_id: externalId, email })
  }

  /**
   * The user with this email and password, or `null`. An unknown email costs the same scrypt work as
   * a wrong password (checked against a dummy hash), so the answer time does not reveal accounts.
   */
  async checkPassword (email, password) {
    const row = this.#byEmail.get(email)
    const matches = await verifyPassword(password, row?.password_hash ?? await this.#dummyHash)
    return row !== undefined && matches ? toUser(row) : null
  }

  /** The user with this external ID, as the plugin's `findUser` wants it, or `null`. */
  findByExternalId (externalId) {
    const row = this.#byExternalId.get(externalId)
    return row === undefined ? null : toUser(row)
  }

  close () {
    this.#db.close()
  }
}

function toUser ({ external_id: externalId, email }) {
  return { externalId, displayName: email, email }
}

async function hashPassword (password) {
  const salt = randomBytes(16)
  const hash = await scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, SCRYPT)
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$')
}

async function verifyPassword (password, stored) {
  const [, N, r, p, salt, expected] = stored.split('$')
  const hash = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), KEY_LENGTH, { N: Number(N), r: Number(r), p: Number(p) })
  return timingSafeEqual(hash, Buffer.from(expected, 'base64url'))
}
