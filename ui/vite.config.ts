/// <reference types="vitest/config" />
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// Cadence's window: built into ui/dist, which the app embeds (tauri.conf.json).
export default defineConfig({
  plugins: [svelte()],
  // Keep the Rust compiler's output visible when `tauri dev` runs Vite.
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    // WebKitGTK and WKWebView (Linux, macOS) and WebView2 (Windows).
    target: ["es2022", "safari15", "chrome105"],
  },
  // Unit tests mount components in jsdom with Svelte's browser build.
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
});
