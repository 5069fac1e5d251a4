import { html } from 'htm/preact';
import { render } from 'preact';
import type { ViewData } from '../view-data.js';
import { App } from './components/app.js';
import { pageModel } from './page-model.js';
import { inlinePageSource, type PageSource } from './page-source.js';
import { loadServedSource } from './served-source.js';

/**
 * The viewer page's entry: a self-contained page reads its data from its script element; a served page (no data
 * element) reads the server's columns from its own origin. Then it renders the app.
 */
const element = document.getElementById('confide-view-data');
const app = document.getElementById('app');
if (app === null) throw new Error('the page lacks its #app element');
const started = performance.now();
const source: Promise<PageSource> = element === null ? loadServedSource(location.origin) : Promise.resolve(inlinePageSource(JSON.parse(element.textContent ?? '') as ViewData));
source.then(
  (loaded) => {
    render(html`<${App} model=${pageModel(loaded)} />`, app);
    // when the data was read and the first view drawn, from the page's start (the benchmark reads it)
    app.setAttribute('data-ready-ms', (performance.now() - started).toFixed(1));
  },
  (error: unknown) => {
    app.textContent = `The viewer could not read its data: ${(error as Error).message}`;
    app.setAttribute('data-error', 'true');
    console.error(error);
  },
);
