/// <reference types="vite/client" />
/**
 * The playground page: the learner edits a snippet (one of `snippets/*.ts` to start from) and
 * runs it on the CPU or on WebGPU. Each run is a module of its own, served by the example
 * server (see `playgroundRuns` in vite.config.ts); what it prints with `console.log` appears
 * under it, and the charts it passes to `show` below that. Leaves its record on
 * `window.playgroundRun` (read by the browser test).
 */
import type { Device } from '@tsgrad/core';
import { initWebGPU, isWebGPUAvailable } from '@tsgrad/gpu';
import { configure } from './snippets/playground.js';

/** What the page has done, for the browser test. */
export interface PlaygroundRun {
  /** The page is ready to run. */
  ready: boolean;
  /** Why WebGPU cannot be picked here, or null when it can. */
  webgpuUnavailable: string | null;
  /** Runs finished (with or without an error). */
  runs: number;
  /** The last run's printed lines and error. */
  output: string[];
  error: string | null;
  /** Charts shown by the last run. */
  plots: number;
}

declare global {
  interface Window {
    playgroundRun: PlaygroundRun;
  }
}

/** The starter snippets in the order of their file names, titled by their first comment line. */
const starters = Object.entries(
  import.meta.glob<string>('./snippets/*.ts', { query: '?raw', import: 'default', eager: true }),
)
  .filter(([path]) => !path.endsWith('/playground.ts'))
  .sort(([a], [b]) => (a < b ? -1 : 1))
  .map(([path, code]) => ({
    name: path.replace(/^.*\/|\.ts$/g, ''),
    title: /^\/\/ (.*)/.exec(code)?.[1] ?? path,
    code,
  }));

const record: PlaygroundRun = {
  ready: false,
  webgpuUnavailable: null,
  runs: 0,
  output: [],
  error: null,
  plots: 0,
};
window.playgroundRun = record;

const code = document.getElementById('code') as HTMLTextAreaElement;
const starter = document.getElementById('starter') as HTMLSelectElement;
const deviceSelect = document.getElementById('device') as HTMLSelectElement;
const runButton = document.getElementById('run') as HTMLButtonElement;
const output = document.getElementById('output')!;
const plots = document.getElementById('plots')!;

for (const s of starters) starter.append(new Option(s.title, s.name));
starter.addEventListener('change', () => {
  code.value = starters.find((s) => s.name === starter.value)?.code ?? '';
});
code.value = starters[0]?.code ?? '';
runButton.addEventListener('click', () => void run());
code.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    if (!runButton.disabled) void run();
  }
});

record.webgpuUnavailable = await whyNoWebGPU();
if (record.webgpuUnavailable !== null) {
  const option = deviceSelect.querySelector<HTMLOptionElement>('option[value="webgpu"]')!;
  option.disabled = true;
  option.textContent = 'WebGPU (unavailable)';
  document.getElementById('device-note')!.textContent = `WebGPU: ${record.webgpuUnavailable}`;
}
runButton.disabled = false;
record.ready = true;

/** Why this browser cannot run on WebGPU, or null when it can. */
async function whyNoWebGPU(): Promise<string | null> {
  if (!('gpu' in navigator)) {
    return window.isSecureContext
      ? 'this browser has no navigator.gpu (try a recent Chrome or Edge)'
      : 'navigator.gpu exists only on secure pages: open this one from http://localhost or https';
  }
  return (await isWebGPUAvailable()) ? null : 'navigator.gpu gives no adapter here (no usable GPU driver)';
}

/** Runs the snippet in the editor on the chosen device, showing what it prints and draws. */
async function run(): Promise<void> {
  runButton.disabled = true;
  output.replaceChildren();
  plots.replaceChildren();
  Object.assign(record, { output: [], error: null, plots: 0 });
  const device: Device = deviceSelect.value;
  const log = console.log;
  let url = '';
  try {
    if (device === 'webgpu') await initWebGPU();
    const reply = await fetch('/playground/run', { method: 'POST', body: code.value });
    url = ((await reply.json()) as { url: string }).url;
    configure({ device, display });
    console.log = (...args: unknown[]) => {
      print(args.map(format).join(' '));
      log(...args);
    };
    await import(/* @vite-ignore */ url);
  } catch (e) {
    record.error = await describe(e, url);
    print(record.error, 'error');
  } finally {
    console.log = log;
  }
  record.runs++;
  runButton.disabled = false;
}

function print(line: string, className?: string): void {
  const div = document.createElement('div');
  div.textContent = line;
  if (className !== undefined) div.className = className;
  output.append(div);
  if (className === undefined) record.output.push(line);
}

/** Shows an SVG document (checked by `show` to be one) as an element under the output. */
function display(svg: string): void {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const error = doc.querySelector('parsererror');
  if (error !== null) throw new TypeError(`show: the SVG does not parse: ${error.textContent}`);
  plots.append(document.importNode(doc.documentElement, true));
  record.plots++;
}

/** A value as the output shows it: arrays as [a, b], objects by their own toString or as JSON. */
function format(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    return `[${Array.from(v as ArrayLike<unknown>, format).join(', ')}]`;
  }
  if (typeof v === 'object' && v !== null && v.toString === Object.prototype.toString) {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}

/**
 * What went wrong, in words: the error's own message, or for a snippet that did not compile
 * (the browser then only says that the import failed) the message of Vite's error page for it.
 */
async function describe(e: unknown, url: string): Promise<string> {
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  if (url === '' || !/dynamically imported module/i.test(message)) return message;
  const reply = await fetch(url);
  if (reply.ok) return message;
  const page = await reply.text();
  const error = /const error = (\{.*\})\s*$/m.exec(page)?.[1];
  if (error === undefined) return `${message} (HTTP ${reply.status})`;
  return (JSON.parse(error) as { message: string }).message;
}
