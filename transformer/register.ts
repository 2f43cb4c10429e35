// `node --import otf/register app.ts`: workflows compile at import time, no build step.
// Works alone on Node 24 (which strips types itself) or together with tsx.
import { registerHooks } from "node:module";
import { load, resolve } from "./hooks.ts";

process.setSourceMapsEnabled(true);
registerHooks({ load, resolve });
