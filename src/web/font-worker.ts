import { parentPort, workerData } from 'node:worker_threads';
import { cutFont } from './font-cut.js';

/** Cuts the font in a worker thread (see font.ts, `cutInWorker`) and posts the woff2 bytes back. */
const { source, chars, texts } = workerData as { source: Uint8Array; chars: string; texts: string[] };
const out = await cutFont(Buffer.from(source), chars, texts);
parentPort?.postMessage(out);
