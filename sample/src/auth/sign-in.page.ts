import { escapeHtml } from '../shared/html.util.js';
import { renderAvatar, renderPage } from '../shared/page-layout.js';
import type { User } from './user.model.js';

/** The sign-in page: pick a demo user (no passwords in this demo). */
export function renderSignInPage(users: readonly User[], next: string, error?: string): string {
  const choices = users
    .map(
      user => `<li>
        <button type="submit" name="user" value="${escapeHtml(user.name)}" class="user-choice">
          ${renderAvatar(user, 'avatar avatar-large')}
          <span class="user-choice-text">
            <span class="user-choice-name">${escapeHtml(user.displayName)}</span>
            <span class="user-choice-handle">@${escapeHtml(user.name)}</span>
          </span>
          <span class="user-choice-go" aria-hidden="true">→</span>
        </button>
      </li>`,
    )
    .join('');
  const content = `
  <section class="signin card">
    <h1>Sign in</h1>
    <p class="muted">This is a demo: pick someone to be. Open a second browser (or a private window) as someone else to chat with yourself.</p>
    ${error ? `<p class="form-error" role="alert">${escapeHtml(error)}</p>` : ''}
    <form method="post" action="/signin">
      <input type="hidden" name="next" value="${escapeHtml(next)}">
      <ul class="user-choices">${choices}</ul>
    </form>
  </section>`;
  return renderPage({ title: 'Sign in', content, mainClass: 'main-narrow', noSignInLink: true });
}
