// Drives the real Cadence window: the debug binary in WebKitGTK under Xvfb,
// through tauri-driver (WebDriver) and WebdriverIO. Each app gets its own
// tauri-driver, so a test chooses the environment the app inherits (data folder,
// OS locale) exactly as a user's session would give it.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// The end-to-end packages live with the UI's (one package.json, in ui/).
const uiRequire = createRequire(new URL("../../ui/package.json", import.meta.url));
const { remote } = await import(pathToFileURL(uiRequire.resolve("webdriverio")).href);

export const APP = process.env.CADENCE_E2E_APP;
export const SANDBOX = process.env.CADENCE_E2E_SANDBOX;
if (!APP || !existsSync(APP)) {
  throw new Error(
    `CADENCE_E2E_APP must name the built app binary (got ${APP ?? "nothing"}); run \`cargo xtask test\``,
  );
}

const children = new Set();

function startProcess(command, args, env, { background = false } = {}) {
  // A process group of its own, so stopping it also stops what it started
  // (dbus-run-session → tauri-driver → WebKitWebDriver → the app).
  const child = spawn(command, args, {
    env,
    stdio: background ? "ignore" : ["ignore", "inherit", "inherit"],
    detached: true,
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  // A background helper (the X display) must not keep the test process alive: it
  // is killed by the exit handler below.
  if (background) child.unref();
  return child;
}

function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      resolve();
    }
  });
}

function killAll() {
  for (const child of children) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }
}

process.on("exit", killAll);
// The test runner stops a file that times out with SIGTERM: leave nothing behind.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    killAll();
    process.exit(1);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, probe, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let display;

/** A private X display, unless the caller already has one. */
async function ensureDisplay() {
  if (process.env.DISPLAY) return process.env.DISPLAY;
  if (display) return display;
  for (let n = 90 + Math.floor(Math.random() * 100); ; n++) {
    if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
    startProcess(
      "Xvfb",
      [`:${n}`, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
      process.env,
      {
        background: true,
      },
    );
    await waitFor(`Xvfb :${n}`, () => existsSync(`/tmp/.X11-unix/X${n}`));
    display = `:${n}`;
    return display;
  }
}

/** A fresh, empty data folder that is removed when the process exits. */
export function tempDataDir() {
  const dir = mkdtempSync(join(tmpdir(), "cadence-e2e-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts a tauri-driver whose apps inherit `env` (on top of a neutral English
 * locale). Returns `launch()`, which opens the app in a new window (a WebDriver
 * session), and `stop()`.
 */
export async function startDriver(env = {}) {
  const port = await freePort();
  const nativePort = await freePort();
  const driverEnv = {
    ...process.env,
    DISPLAY: await ensureDisplay(),
    LANG: "en_US.UTF-8",
    LC_ALL: "",
    LC_MESSAGES: "",
    // WebKitGTK's GPU paths fail on a virtual display without a GPU.
    WEBKIT_DISABLE_DMABUF_RENDERER: "1",
    ...env,
  };
  // The app keeps secrets in the OS keyring: give each session its own unlocked
  // GNOME Keyring (in a throw-away home), as a desktop login would.
  const keyringHome = tempDataDir();
  // In the foreground (and so in the process group that stopProcess ends), then
  // wait until it owns the Secret Service name on the session bus.
  const session = [
    `(printf 'e2e\\n' | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &)`,
    `for i in $(seq 100); do dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' && break; sleep 0.05; done`,
    `exec tauri-driver --port ${port} --native-port ${nativePort}`,
  ].join("; ");
  const driver = startProcess("dbus-run-session", ["--", "sh", "-c", session], {
    ...driverEnv,
    XDG_DATA_HOME: join(keyringHome, "data"),
    XDG_RUNTIME_DIR: keyringHome,
  });
  await waitFor("tauri-driver", async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/status`)).ok;
    } catch {
      return false;
    }
  });
  return {
    async launch() {
      const browser = await remote({
        hostname: "127.0.0.1",
        port,
        logLevel: "warn",
        capabilities: {
          browserName: "wry",
          "wdio:enforceWebDriverClassic": true,
          "tauri:options": { application: APP },
        },
      });
      // The app has drawn once its shell (the navigation) is on screen.
      await browser.$('[data-testid="nav-settings"]').waitForDisplayed({ timeout: 20000 });
      return browser;
    },
    stop: () => stopProcess(driver),
  };
}

/** Waits until `element`'s visible text is `expected`, and says what it saw if not. */
export async function expectText(element, expected, why) {
  let seen;
  try {
    await element.waitUntil(
      async () => {
        seen = await element.getText();
        return seen === expected;
      },
      { timeout: 10000 },
    );
  } catch {
    throw new Error(
      `${why}: expected text ${JSON.stringify(expected)}, saw ${JSON.stringify(seen)}`,
    );
  }
}

/**
 * Saves what the window shows as `<name>.png` in the folder named by
 * CADENCE_E2E_SHOTS, for a person to look at; does nothing without it.
 */
export async function saveShot(app, name) {
  const dir = process.env.CADENCE_E2E_SHOTS;
  if (!dir) return;
  // The X display as a person would see it (WebKitWebDriver's own screenshot
  // command does not answer under Xvfb). Give the window a moment to paint.
  await app.pause(300);
  const screen = display ?? process.env.DISPLAY;
  execFileSync("import", ["-display", screen, "-window", "root", join(dir, `${name}.png`)]);
}

/**
 * Starts the `cadence-sandbox` binary (CADENCE_E2E_SANDBOX) on a free loopback
 * port, as a stand-in for Meta's Graph API. Returns its URL and `stop()`.
 */
export async function startSandbox() {
  if (!SANDBOX || !existsSync(SANDBOX)) {
    throw new Error(`CADENCE_E2E_SANDBOX must name the cadence-sandbox binary (got ${SANDBOX})`);
  }
  const port = await freePort();
  const child = startProcess(
    SANDBOX,
    ["--listen", `127.0.0.1:${port}`, "--seed", "7"],
    process.env,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor("cadence-sandbox", async () => {
    try {
      return (await fetch(`${url}/_sandbox/health`)).ok;
    } catch {
      return false;
    }
  });
  return { url, stop: () => stopProcess(child) };
}
