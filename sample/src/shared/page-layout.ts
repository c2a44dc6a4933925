import type { User } from '../auth/user.model.js';
import { escapeHtml, initialOf, jsonForScript } from './html.util.js';

/** The sections of the top bar. */
export type Section = 'chat' | 'widgets';

export interface PageOptions {
  /** The page's own title (the app name is added). */
  title: string;
  /** The signed-in user; the header shows them and a sign-out button. */
  user?: User;
  /** Which tab of the top bar is current. */
  section?: Section;
  /** HTML of the page's content, already escaped where needed. */
  content: string;
  /**
   * The page's module under /assets/ (e.g. `chat.js`). Pages with a script
   * are realtime pages: the header shows the connection's state.
   */
  script?: string;
  /** Data for the script, as JSON in `<script id="page-data">`. */
  data?: unknown;
  /** A class for `<main>`. */
  mainClass?: string;
  /** Leave out the "Sign in" link of the header (on the sign-in page itself). */
  noSignInLink?: boolean;
}

const SECTIONS: ReadonlyArray<{ id: Section; label: string; href: string }> = [
  { id: 'chat', label: 'Chat', href: '/rooms' },
  { id: 'widgets', label: 'Widgets', href: '/widgets' },
];

/** A user's round avatar with their initial. */
export function renderAvatar(user: Pick<User, 'displayName' | 'color'>, className = 'avatar'): string {
  return `<span class="${className}" style="--avatar: ${escapeHtml(user.color)}" aria-hidden="true">${escapeHtml(initialOf(user.displayName))}</span>`;
}

function renderNav(section: Section | undefined): string {
  const links = SECTIONS.map(
    item =>
      `<a href="${item.href}"${item.id === section ? ' aria-current="page"' : ''}>${escapeHtml(item.label)}</a>`,
  ).join('');
  return `<nav class="tabs" aria-label="Sections">${links}</nav>`;
}

/** The connection's state, which the page's script keeps up to date (see public/realtime.js). */
const STATUS = `<div id="realtime-status" class="status" data-state="connecting" role="status" aria-live="polite">
      <span class="status-dot" aria-hidden="true"></span><span class="status-label">Connecting…</span>
      <button type="button" class="status-retry" hidden>Retry now</button>
    </div>`;

function renderAccount(user: User | undefined, noSignInLink: boolean | undefined): string {
  if (!user) return noSignInLink ? '' : `<a class="button button-quiet" href="/signin">Sign in</a>`;
  return `<div class="account">
      ${renderAvatar(user)}
      <span class="account-name" id="account-name">${escapeHtml(user.displayName)}</span>
      <form method="post" action="/signout"><button type="submit" class="button button-quiet">Sign out</button></form>
    </div>`;
}

/**
 * The page shell every page shares: the top bar (sections, connection state,
 * who is signed in), a notice area, the content, and the page's script.
 */
export function renderPage(options: PageOptions): string {
  const { title, user, section, content, script, data, mainClass, noSignInLink } = options;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Realtime demo</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
${script ? `<script type="module" src="/assets/${escapeHtml(script)}"></script>` : ''}
</head>
<body>
<header class="topbar">
  <div class="topbar-inner">
    <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span><span class="brand-name">Realtime demo</span></a>
    ${user ? renderNav(section) : ''}
    <div class="topbar-end">
      ${script ? STATUS : ''}
      ${renderAccount(user, noSignInLink)}
    </div>
  </div>
</header>
<div id="notice" class="notice" role="alert" hidden></div>
<main${mainClass ? ` class="${escapeHtml(mainClass)}"` : ''}>
${content}
</main>
${data === undefined ? '' : `<script type="application/json" id="page-data">${jsonForScript(data)}</script>`}
</body>
</html>
`;
}
