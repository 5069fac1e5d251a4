import { html } from 'htm/preact';
import type { VNode } from 'preact';

/** A select of the bundle's runs (or of a run's scores), for the threshold and compare views' picks. */
export function RunPick(props: { label: string; id: string; value: string; options: ReadonlyArray<[value: string, label: string]>; onChange: (value: string) => void }): VNode {
  return html`<label>${props.label}
    <select id=${props.id} value=${props.value} onChange=${(event: Event) => props.onChange((event.currentTarget as HTMLSelectElement).value)}>
      ${props.options.map(([value, label]) => html`<option value=${value} selected=${value === props.value}>${label}</option>`)}
    </select>
  </label>`;
}
