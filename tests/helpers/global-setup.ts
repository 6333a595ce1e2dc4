import type { TestProject } from 'vitest/node'
import { dropDatabase, startServer, testEnv, uniqueDbName } from './server'

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string
    dbName: string
  }
}

/** One server and one fresh database for the whole run of a project; dropped at the end. */
export default async function setup(project: TestProject) {
  const dbName = uniqueDbName()
  const server = await startServer(testEnv(dbName))
  project.provide('baseURL', server.url)
  project.provide('dbName', dbName)
  return async () => {
    await server.stop()
    if (process.env.KEEP_TEST_DB !== '1') await dropDatabase(dbName)
  }
}
