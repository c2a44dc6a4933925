import type { User } from '../auth/user.model.js';
import { escapeHtml } from '../shared/html.util.js';
import { renderAvatar, renderPage } from '../shared/page-layout.js';
import { WIDGETS_FAMILY, type Widget } from './widget.model.js';

export interface WidgetsPageOptions {
  user: User;
  widgets: readonly Widget[];
  /** Looks up an owner's name and colour. */
  ownerOf(widget: Widget): User | undefined;
  /** Signs the page's socket in (`Authenticate`). */
  socketToken: string;
}

/** What public/widgets.js reads from `#page-data`. */
export interface WidgetsPageData {
  socketToken: string;
  family: string;
  widgetIds: string[];
}

const LOCK_ICON = `<svg class="lock-icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2h.5A1.5 1.5 0 0 1 13.5 8.5v5A1.5 1.5 0 0 1 12 15H4a1.5 1.5 0 0 1-1.5-1.5v-5A1.5 1.5 0 0 1 4 7h.5Zm1.5 0h4V5a2 2 0 0 0-4 0v2Z"/></svg>`;

function renderWidget(widget: Widget, user: User, owner: User | undefined): string {
  const owned = widget.owner === user.name;
  const ownerLabel = owned ? 'You' : escapeHtml(owner?.displayName ?? widget.owner);
  // Only owners see stock levels: the others see a lock, and the page shows
  // what the server answered when it tried to subscribe.
  const qty = owned
    ? `<button type="button" class="qty-button" data-delta="-1" aria-label="One fewer ${escapeHtml(widget.name)}"${widget.qty === 0 ? ' disabled' : ''}>−</button>
        <output class="widget-qty" aria-label="Quantity">${widget.qty}</output>
        <button type="button" class="qty-button" data-delta="1" aria-label="One more ${escapeHtml(widget.name)}">+</button>`
    : `${LOCK_ICON}<span class="widget-qty widget-qty-hidden" aria-label="Quantity hidden">—</span>`;
  return `<li class="widget card" data-widget-id="${escapeHtml(widget.id)}" data-owned="${owned}" data-state="subscribing">
      <div class="widget-top">
        <span class="widget-id">#${escapeHtml(widget.id)}</span>
        <span class="widget-badge" role="status">Subscribing…</span>
      </div>
      <h2 class="widget-name">${escapeHtml(widget.name)}</h2>
      <p class="widget-owner">${owner ? renderAvatar(owner, 'avatar avatar-small') : ''}<span>${ownerLabel}</span></p>
      <div class="widget-qty-row">${qty}</div>
      <p class="widget-foot" role="status">Subscribing to ${escapeHtml(`${WIDGETS_FAMILY}:${widget.id}`)}…</p>
    </li>`;
}

/** Every widget, the user's own with live stock levels, the others locked. */
export function renderWidgetsPage({ user, widgets, ownerOf, socketToken }: WidgetsPageOptions): string {
  const content = `
<section class="widgets-page">
  <header class="page-header">
    <h1>Widgets</h1>
    <p class="muted">Stock levels update live in every open window. You can change the widgets you own; the others are locked.</p>
  </header>
  <ul class="widget-grid">${widgets.map(widget => renderWidget(widget, user, ownerOf(widget))).join('')}</ul>
</section>`;
  const data: WidgetsPageData = { socketToken, family: WIDGETS_FAMILY, widgetIds: widgets.map(widget => widget.id) };
  return renderPage({ title: 'Widgets', user, section: 'widgets', content, script: 'widgets.js', data, mainClass: 'main-wide' });
}
