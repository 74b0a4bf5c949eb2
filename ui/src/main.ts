import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { useBackend } from "./lib/backend";
import { tauriBackend } from "./lib/backend/tauri";

useBackend(tauriBackend);

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

export default mount(App, { target });
