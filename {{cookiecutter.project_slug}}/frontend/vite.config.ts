import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { defineConfig, loadEnv } from 'vite'

// The dev server is the developer's front door on port 8080: it serves the Vue app with hot
// reload and hands everything that belongs to Django over to runserver.
const DEV_SERVER_PORT = 8080

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), '')
  const django = env.DJANGO_DEV_SERVER_URL || 'http://127.0.0.1:8000'
  // Keep the browser's Host header: Django then sees the origin it checks CSRF against.
  const toDjango = { target: django, changeOrigin: false }

  return {
    plugins: [vue()],
    resolve: {
      alias: {
        '@': fileURLToPath(new URL('./src', import.meta.url)),
      },
    },
    // Built files are collected by Django under STATIC_URL + "frontend/" (see
    // config/settings/base.py), so the URLs Vite writes into the bundle must point there.
    // The dev server keeps its root, so that http://localhost:8080/ opens the app.
    base: mode === 'production' ? '/static/frontend/' : '/',
    server: {
      port: DEV_SERVER_PORT,
      strictPort: true,
      // Django pages in development load this server's scripts through django-vite.
      cors: { origin: /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/ },
      origin: `http://localhost:${DEV_SERVER_PORT}`,
      proxy: {
        '/api/': toDjango,
        '/admin/': toDjango,
        '/static/': toDjango,
        '/media/': toDjango,
      },
    },
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      // django-vite reads dist/.vite/manifest.json to find the hashed files of each entry.
      manifest: true,
      rollupOptions: {
        input: fileURLToPath(new URL('./src/main.ts', import.meta.url)),
      },
    },
  }
})
