import { defineConfig } from 'drizzle-kit'

// drizzle-kit has no MariaDB dialect; the generated MySQL SQL runs on MariaDB 10.11 and MySQL 8.
export default defineConfig({
  dialect: 'mysql',
  schema: './drizzle/schema/index.ts',
  out: './drizzle/migrations',
})
