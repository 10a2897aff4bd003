import t from 'tap'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { storeContract } from './helpers/store-contract.js'

storeContract(t, async () => new MemoryStore())
