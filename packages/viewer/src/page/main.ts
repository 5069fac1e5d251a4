import { html } from 'htm/preact';
import { render } from 'preact';
import type { ViewData } from '../view-data.js';
import { App } from './components/app.js';

/** The viewer page's entry: reads the bundle's data from its script element and renders the app. */
const element = document.getElementById('confide-view-data');
const app = document.getElementById('app');
if (element === null || app === null) throw new Error('the page lacks its data or its #app element');
const data = JSON.parse(element.textContent ?? '') as ViewData;
render(html`<${App} data=${data} />`, app);
