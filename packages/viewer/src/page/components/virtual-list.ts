import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';

const OVERSCAN = 10;

/**
 * A list that renders only the rows in view (rows of one fixed height), so thousands of problems scroll and filter
 * without building thousands of elements.
 */
export function VirtualList<T>(props: { items: readonly T[]; rowHeight: number; height: number; row: (item: T) => VNode; id?: string }): VNode {
  const [scrollTop, setScrollTop] = useState(0);
  const { items, rowHeight, height } = props;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const visible = items.slice(first, last);
  return html`<div class="virtual-list" id=${props.id} style=${`height:${height}px`} onScroll=${(event: Event) => setScrollTop((event.currentTarget as HTMLElement).scrollTop)}>
    <div style=${`height:${items.length * rowHeight}px;position:relative`}>
      <div style=${`position:absolute;top:${first * rowHeight}px;left:0;right:0`}>${visible.map((item) => props.row(item))}</div>
    </div>
  </div>`;
}
