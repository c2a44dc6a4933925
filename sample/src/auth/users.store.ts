import { Injectable } from '@nestjs/common';
import type { User } from './user.model.js';

/** The demo's people. No passwords: the sign-in page lets you pick one. */
const USERS: readonly User[] = [
  { name: 'alice', displayName: 'Alice Moreau', color: '#7048e8' },
  { name: 'bob', displayName: 'Bob Okafor', color: '#0c8599' },
  { name: 'carol', displayName: 'Carol Lindqvist', color: '#d9480f' },
];

/** A tiny in-memory user store. */
@Injectable()
export class UsersStore {
  all(): readonly User[] {
    return USERS;
  }

  find(name: unknown): User | undefined {
    return typeof name === 'string' ? USERS.find(user => user.name === name) : undefined;
  }
}
