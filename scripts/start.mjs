// Production entry (`npm start`): maps the original Mmessenger variable names onto Nitro's and
// loads `.env` before the server reads its port.
import { existsSync } from 'node:fs'

if (existsSync('.env')) process.loadEnvFile('.env')
const env = process.env
const port = env.SERVER_PORT || env.NITRO_PORT || env.PORT
const host = env.SERVER_HOST || env.NITRO_HOST || env.HOST
if (port) env.NITRO_PORT = port
if (host) env.NITRO_HOST = host

await import('../.output/server/index.mjs')
