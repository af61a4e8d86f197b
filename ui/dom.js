// What every view of the page shares: building elements (text only: data is never parsed as
// HTML), pretty-printing bodies, why a request failed, the status line, and a list that
// renders only the rows in view (10,000 journal entries, 1,000 sessions).

/**
 * An element `tag` with `props` (className, title, dataset, hidden...) and `children`:
 * strings become text nodes, never markup.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'dataset') Object.assign(node.dataset, value);
    else node[name] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** The element of id `id`. */
export function byId(id) {
  return document.getElementById(id);
}

/** `text` pretty-printed when it is JSON, else as it is. */
export function pretty(text) {
  if (!text) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The time of an ISO 8601 instant (`HH:MM:SS.mmm`), for a list row. */
export function timeOf(iso) {
  const at = /T(\d\d:\d\d:\d\d(\.\d+)?)/.exec(iso ?? '');
  return at ? at[1] : (iso ?? '');
}

/**
 * Why a journal entry failed, as `assert_no_client_errors` words it: the `customMessage` or
 * the validation messages of a refusal, each `failed` item of a 200 batch, a fault, or no
 * response at all.
 */
export function problemsOf(entry) {
  const problems = [];
  let response = null;
  try {
    response = JSON.parse(entry.response);
  } catch {
    // Not JSON (a `malformed` fault, no response): nothing more to read.
  }
  if (entry.status === 0) problems.push('No response: the connection was reset or hung (a fault).');
  if (entry.status >= 400) {
    if (entry.customMessage) problems.push(entry.customMessage);
    else if (response && Array.isArray(response.data)) {
      for (const violation of response.data) {
        for (const message of Object.values(violation?.constraints ?? {})) {
          problems.push(`${violation.property ?? ''}: ${message}`);
        }
      }
    }
    if (problems.length === 0 && response?.message) problems.push(String(response.message));
  }
  const results = entry.status === 200 ? response?.data?.results : null;
  if (Array.isArray(results)) {
    for (const result of results) {
      if (result?.status !== 'failed') continue;
      const name = result.domain ?? result.externalDealId ?? result.externalActivityId ?? 'an item';
      problems.push(`item ${name} failed: ${result.error ?? ''}`);
    }
  }
  if (entry.fault !== null && entry.fault !== undefined) {
    problems.push(`Fault ${entry.fault} shaped this answer.`);
  }
  return problems;
}

/** Shows `message` in the status line (red for an error). */
export function say(message, isError = false) {
  const line = byId('status');
  line.textContent = message;
  line.classList.toggle('error', isError);
}

/** Shows an error of a call in the status line. */
export function sayError(error) {
  say(error?.message ?? String(error), true);
}

/**
 * A scrolling list that keeps only the rows in view (and a few around them) in the page:
 * `renderRow(item, index)` makes a row; rows are `rowHeight` pixels high. `onNearEnd` is
 * called when the view comes near the last item (to load more).
 */
export class VirtualList {
  constructor(viewport, rowHeight, renderRow, onNearEnd = null) {
    this.viewport = viewport;
    this.rowHeight = rowHeight;
    this.renderRow = renderRow;
    this.onNearEnd = onNearEnd;
    this.items = [];
    this.spacer = el('div', { className: 'spacer' });
    viewport.append(this.spacer);
    this.pending = false;
    viewport.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(viewport);
  }

  /** Shows `items`; with `added` items new at the top, keeps a scrolled view where it was. */
  setItems(items, added = 0) {
    this.items = items;
    this.spacer.style.height = `${items.length * this.rowHeight}px`;
    if (added > 0 && this.viewport.scrollTop > 0) {
      this.viewport.scrollTop += added * this.rowHeight;
    }
    this.schedule();
  }

  /** Renders again (a selection changed). */
  refresh() {
    this.schedule();
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  render() {
    const { scrollTop, clientHeight } = this.viewport;
    const first = Math.max(0, Math.floor(scrollTop / this.rowHeight) - 5);
    const last = Math.min(this.items.length, Math.ceil((scrollTop + clientHeight) / this.rowHeight) + 5);
    const rows = [];
    for (let index = first; index < last; index += 1) {
      const row = this.renderRow(this.items[index], index);
      row.style.top = `${index * this.rowHeight}px`;
      rows.push(row);
    }
    this.spacer.replaceChildren(...rows);
    if (this.onNearEnd && last >= this.items.length - 20) this.onNearEnd();
  }
}
