// English messages. Every key here must exist in every other catalog (ru.ts):
// the type `Catalog` makes a missing key a type error.

import { audienceEn } from "./audience.en";
import { templatesEn } from "./templates.en";

export const en = {
  ...templatesEn,
  ...audienceEn,
  "app.name": "Cadence",
  "app.loading": "Loading…",

  "nav.label": "Main navigation",
  "nav.templates": "Templates",
  "nav.audience": "Audience",
  "nav.campaigns": "Campaigns",
  "nav.abTests": "A/B tests",
  "nav.quality": "Quality",
  "nav.reports": "Reports",
  "nav.settings": "Settings",

  "mode.sandbox": "Sandbox",
  "mode.live": "Live",
  "mode.short.sandbox": "Sandbox",
  "mode.short.live": "Live",
  "mode.sandbox.hint": "Sandbox: messages go to Cadence's offline simulator, never to real people.",
  "mode.live.hint": "Live: messages go to real people through your WhatsApp Business account.",

  "screen.notBuilt": "{screen} is not built yet in this version of Cadence.",

  "settings.workspace": "Workspace",
  "settings.workspace.name": "Name",
  "settings.workspace.mode": "Mode",
  "settings.appearance": "Language and theme",
  "settings.language": "Interface language",
  "settings.language.system": "Follow the system ({language})",
  "settings.theme": "Theme",
  "settings.theme.value": "Follows the system: light or dark",
  "settings.connection": "Connection",
  "settings.connection.sandbox":
    "This workspace talks to Cadence's offline sandbox at {url}: nothing reaches a real person.",
  "settings.connection.wabaId": "WhatsApp Business account id",
  "settings.connection.phoneNumberId": "Phone number id",
  "settings.connection.appId": "Meta app id (for media header examples)",
  "settings.connection.apiVersion": "API version",
  "settings.connection.accessToken": "Access token",
  "settings.connection.appSecret": "App secret",
  "settings.connection.verifyToken": "Webhook verify token",
  "settings.connection.webhookListen": "Webhook receiver address",
  "settings.connection.secretSaved": "Saved in the OS keyring; leave blank to keep it",
  "settings.connection.secretMissing": "Not saved yet",
  "settings.connection.save": "Save connection",
  "settings.connection.saved":
    "Saved. Secrets went to the OS keyring, never to Cadence's database.",
  "settings.connection.test": "Test connection",
  "settings.connection.testing": "Asking Meta…",
  "settings.connection.connected": "Connected",
  "settings.connection.phone": "Phone number",
  "settings.connection.quality": "Quality rating",
  "settings.connection.throughput": "Throughput",
  "settings.connection.limit": "Messaging limit",
  "settings.connection.unknown": "not reported",
  "settings.connection.receiver": "Webhook receiver",
  "settings.connection.receiver.listening": "Listening at {url}",
  "settings.connection.receiver.off": "Not listening: {problem}",
  "receiver.not_connected": "save the connection first",
  "receiver.missing_app_secret": "the app secret is not saved (it checks every delivery)",
  "receiver.missing_verify_token":
    "the verify token is not saved (Meta's subscription check needs it)",
  "receiver.cannot_listen": "the address cannot be used ({detail})",
  "receiver.unavailable": "its settings could not be read ({detail})",
  "settings.connection.newLive": "Connect a real account",
  "settings.connection.newLive.hint":
    "A real account gets a workspace of its own, marked Live everywhere. Name it (lowercase letters, digits, - or _):",
  "settings.connection.newLive.create": "Create the workspace and switch to it",
  "workspace.switch": "Workspace",
  "workspace.option": "{name} ({mode})",
  "workspace.unreadable": "{name} (cannot be read)",
  "quality.GREEN": "Green: high quality",
  "quality.YELLOW": "Yellow: medium quality",
  "quality.RED": "Red: low quality",
  "quality.UNKNOWN": "Unknown: not rated yet",
  "throughput.STANDARD": "Standard: up to 80 messages a second",
  "throughput.HIGH": "High: up to 1,000 messages a second",
  "tier.TIER_250": "250 people a day",
  "tier.TIER_2K": "2,000 people a day",
  "tier.TIER_10K": "10,000 people a day",
  "tier.TIER_100K": "100,000 people a day",
  "tier.TIER_UNLIMITED": "Unlimited",
  "settings.about": "About",
  "settings.about.version": "Version",
  "settings.about.dataDir": "Data folder",
  "settings.about.database": "Database",
  "settings.about.schema": "Database schema",
  "settings.about.logDir": "Log folder",

  "error.title": "Something went wrong",
  "error.retry": "Try again",
  "error.invalid_input.title": "Cadence refused an input",
  "error.invalid_input.next": "Correct the value named below and try again.",
  "error.io.title": "A file or folder could not be used",
  "error.io.next":
    "Check that the folder exists, that you may write to it and that the disk has space.",
  "error.storage.title": "The workspace database could not be used",
  "error.storage.next":
    "Close other copies of Cadence and try again; the log folder in Settings holds the details.",
  "error.newer_version.title": "This workspace needs a newer Cadence",
  "error.newer_version.next": "Install the latest version of Cadence to open it.",
  "error.keyring.title": "The OS keyring could not be used",
  "error.keyring.next":
    "Unlock your keyring (on Linux: GNOME Keyring or KWallet) and try again; Cadence keeps tokens only there.",
  "error.meta_api.title": "Meta refused the request",
  "error.meta_api.next":
    "Meta's own words are below: check the ids and the access token in Settings → Connection.",
  "error.network.title": "Meta could not be reached",
  "error.network.next": "Check the internet connection (or the proxy) and try again.",
  "error.internal.title": "Cadence hit a bug",
  "error.internal.next": "Try again; if it repeats, send the log file from Settings to the team.",
} as const;

export type MessageKey = keyof typeof en;
export type Catalog = { readonly [K in MessageKey]: string };
