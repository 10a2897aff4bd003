import { open, type FileHandle } from 'node:fs/promises'

/**
 * Group commit for a database in WAL mode whose connection commits without an fsync
 * (`synchronous = NORMAL`): {@link WalSync.sync} resolves once an fsync of the WAL file, started
 * after the call, has finished, so every commit made before the call is on disk. The fsync runs off
 * the event loop and is shared: it starts once the I/O callbacks of the current turn of the event
 * loop have run (`setImmediate`), so their commits join it, and while one runs, all later calls wait
 * for a single next one.
 *
 * Sound because SQLite appends commits to the WAL and copies them to the database only in a
 * checkpoint, which syncs the WAL before the copy and the database after it; the WAL file is kept
 * (and so is the file this holds open) while any connection to the database is open.
 */
export class WalSync {
  readonly #file: FileHandle
  #running: Promise<void> | undefined
  #queued: Promise<void> | undefined

  private constructor (file: FileHandle) {
    this.#file = file
  }

  /** Opens the WAL file (the database's full path followed by `-wal`) of an open connection. */
  static async open (walPath: string): Promise<WalSync> {
    return new WalSync(await open(walPath, 'r'))
  }

  /** Resolves once every commit made before this call is on disk; rejects when the fsync fails. */
  sync (): Promise<void> {
    this.#queued ??= this.#afterRunning().then(() => {
      this.#queued = undefined
      return this.#start()
    })
    return this.#queued
  }

  /** Waits for the fsyncs under way (a queued one starts after the running one), then closes the WAL file. */
  async close (): Promise<void> {
    await (this.#queued ?? this.#running)?.catch(noop)
    await this.#file.close()
  }

  /** Waits for the running fsync, then for the I/O callbacks of this turn of the event loop, whose commits join. */
  async #afterRunning (): Promise<void> {
    await this.#running?.catch(noop)
    await new Promise((resolve) => setImmediate(resolve))
  }

  #start (): Promise<void> {
    const running = this.#file.datasync().finally(() => {
      if (this.#running === running) this.#running = undefined
    })
    this.#running = running
    return running
  }
}

function noop (): void {}
