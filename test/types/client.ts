// The browser client's types as a consumer sees them (fastify-passkey-mfa/client).
import { PasskeyMfaClient } from 'fastify-passkey-mfa/client'
import type { StatusReply, VerifyReply } from 'fastify-passkey-mfa/client'
import { expectTrue } from './expect.js'
import type { Equal } from './expect.js'

expectTrue<Equal<StatusReply['state'], 'anonymous' | 'first-factor' | 'passkey-pending' | 'authenticated'>>()
expectTrue<Equal<StatusReply['next'], 'first-factor' | 'authenticate' | 'enroll' | 'done'>>()
expectTrue<Equal<VerifyReply['state'], 'authenticated'>>()

const client = new PasskeyMfaClient({ prefix: '/passkey' })
const status = await client.status()
// @ts-expect-error a misspelled next step never matches
if (status.next === 'enrol') throw new Error('unreachable')
if (status.next === 'enroll') await client.enroll()
