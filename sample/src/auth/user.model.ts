/** A person who can sign in to the sample. */
export interface User {
  /** Stable handle, also the key of the user store: `alice`. */
  name: string;
  /** What the pages show: `Alice Moreau`. */
  displayName: string;
  /** Avatar colour (a CSS colour). */
  color: string;
}

/** What other people (and the browser) may see of a user. */
export type PublicUser = Pick<User, 'name' | 'displayName' | 'color'>;

export function publicUser(user: User): PublicUser {
  return { name: user.name, displayName: user.displayName, color: user.color };
}
