import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { defineConfig, loadEnv } from 'vite'

// The dev server is the developer's front door (port VITE_PORT, 8080 by default): it serves the
// Vue app with hot reload and hands everything that belongs to Django over to runserver
// (DJANGO_PORT, 8000 by default). `make frontend-dev` passes both on from .env or its command line.
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), '')
  const devServerPort = Number(env.VITE_PORT || 8080)
  const django = env.DJANGO_DEV_SERVER_URL || `http://127.0.0.1:${env.DJANGO_PORT || 8000}`
  // changeOrigin stays off: Django must see the browser's Host, which its CSRF check compares
  // with the Origin header.
  const toDjango = { target: django, changeOrigin: false }

  return {
    plugins: [vue()],
    resolve: {
      alias: {
        '@': fileURLToPath(new URL('./src', import.meta.url)),
      },
    },
    // The build lands in the Django package's static folder, so Django serves it under
    // STATIC_URL + "frontend/"; django-vite asks the dev server for the same paths, so one base
    // serves both. The dev server's root redirects to it.
    base: '/static/frontend/',
    server: {
      port: devServerPort,
      strictPort: true,
      // Pages rendered by Django load their assets from here, not from themselves.
      origin: `http://localhost:${devServerPort}`,
      proxy: {
        '/api/': toDjango,
        '/admin/': toDjango,
        '/media/': toDjango,
        // Django's own static files (the admin's, say); the app's are this server's.
        '^/static/(?!frontend/)': toDjango,
      },
    },
    build: {
      outDir: fileURLToPath(new URL('../{{ cookiecutter.project_slug }}/static/frontend', import.meta.url)),
      emptyOutDir: true,
      // django-vite reads .vite/manifest.json to find the hashed files of each entry.
      manifest: true,
      rollupOptions: {
        input: fileURLToPath(new URL('./src/main.ts', import.meta.url)),
      },
    },
  }
})
