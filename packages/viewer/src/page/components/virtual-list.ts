import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';

const OVERSCAN = 10;
/** The tallest scroll area the list makes (browsers cap an element's height near 2^25 px); beyond it, scrolling is scaled. */
const MAX_SCROLL_HEIGHT = 10_000_000;

/**
 * A list that renders only the rows in view (rows of one fixed height), so a million problems scroll and filter
 * without building a million elements. Past `MAX_SCROLL_HEIGHT` the scroll bar moves through the rows proportionally.
 */
export function VirtualList<T>(props: { items: ArrayLike<T>; rowHeight: number; height: number; row: (item: T) => VNode; id?: string }): VNode {
  const [scrollTop, setScrollTop] = useState(0);
  const { items, rowHeight, height } = props;
  const total = items.length * rowHeight;
  const scrollHeight = Math.min(total, MAX_SCROLL_HEIGHT);
  // where the rows' top is for this scroll position (scrollTop itself unless the list is scaled)
  const scale = scrollHeight > height ? Math.max(0, total - height) / (scrollHeight - height) : 1;
  const top = scrollTop * scale;
  const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + OVERSCAN);
  const visible: VNode[] = [];
  for (let position = first; position < last; position++) visible.push(props.row(items[position]!));
  return html`<div class="virtual-list" id=${props.id} style=${`height:${height}px`} onScroll=${(event: Event) => setScrollTop((event.currentTarget as HTMLElement).scrollTop)}>
    <div style=${`height:${scrollHeight}px;position:relative`}>
      <div style=${`position:absolute;top:${scrollTop + first * rowHeight - top}px;left:0;right:0`}>${visible}</div>
    </div>
  </div>`;
}
