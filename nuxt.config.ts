// One build yields the API (Nitro, under /api/v1 and /ws) and the web app (Vue pages).
import { cp } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export default defineNuxtConfig({
  compatibilityDate: '2026-11-01',
  srcDir: '.',
  devtools: { enabled: false },
  telemetry: false,
  modules: ['@pinia/nuxt', '@nuxt/eslint'],
  // Components are grouped in folders by domain (ui/, chat/, rooms/...) but used by their own name.
  components: [{ path: '~/components', pathPrefix: false }],
  css: ['pretendard/dist/web/variable/pretendardvariable-dynamic-subset.css', '~/assets/css/main.css'],
  app: {
    head: {
      htmlAttrs: { lang: 'en' },
      title: 'Mmessenger',
      meta: [
        { name: 'viewport', content: 'width=device-width, initial-scale=1' },
        { name: 'color-scheme', content: 'light dark' },
      ],
    },
  },
  // Everything here is read again at runtime from the environment (see server/lib/config).
  runtimeConfig: {},
  typescript: { strict: true },
  nitro: {
    experimental: { websocket: true },
    esbuild: { options: { target: 'es2022' } },
    hooks: {
      // The runtime migrator reads SQL files: ship them next to the server bundle.
      async compiled(nitro) {
        await cp(join(nitro.options.rootDir, 'drizzle', 'migrations'), join(nitro.options.output.serverDir, 'drizzle', 'migrations'), { recursive: true })
      },
    },
  },
  eslint: { config: { stylistic: false } },
  hooks: {
    // Errors under /api that no route handler caught answer in the protocol's JSON shape; ours
    // runs before Nuxt's own handler, which still renders the app's error pages.
    'nitro:config'(config) {
      config.errorHandler = [fileURLToPath(new URL('./server/lib/http/api-error-handler.ts', import.meta.url)), ...[config.errorHandler ?? []].flat()]
    },
  },
})
