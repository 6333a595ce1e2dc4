/**
 * Asks V8 to optimize hot functions sooner. By default a function reaches V8's top tier (TurboFan)
 * after about 3,000 calls' worth of work; the code of one delivery runs once per recipient and gets
 * there in seconds, but the code of one sent message (parse, validate, store, announce, ack) runs
 * once per message. At the tens of messages a second of a team's server it stays in the middle
 * tier (Maglev): in the bench at 50 messages/s, dispatch, the writer and the fan-out were all still
 * there after 5,000 messages (V8's --log-function-events). After 300 calls they move up within
 * seconds of traffic: 5-10% less server CPU per message at that rate (bench/README.md, "Where the
 * CPU goes at the lowest rates"). Functions that stay cold are not affected.
 */
import { setFlagsFromString } from 'node:v8'
import { defineNitroPlugin } from 'nitropack/runtime'

const TURBOFAN_AFTER_CALLS = 300

export default defineNitroPlugin(() => {
  setFlagsFromString(`--invocation-count-for-turbofan=${TURBOFAN_AFTER_CALLS}`)
})
