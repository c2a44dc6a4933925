/** What the identity layer needs to know, a slice of the module options. */
export interface IdentityOptions {
  /** Name of the cookie that carries the signed socket key. */
  socketKeyCookie: string;
  /** Secret that signs the cookie. */
  secret: string;
  /** `'auto'`: Secure when the request came over TLS. */
  secureCookie: boolean | 'auto';
  sameSite: 'Strict' | 'Lax';
}
