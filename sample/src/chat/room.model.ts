/** A chat room. Rooms are fixed in this demo. */
export interface Room {
  /** URL name: `/rooms/general`. */
  name: string;
  topic: string;
}

export const ROOMS: readonly Room[] = [
  { name: 'general', topic: 'Anything goes' },
  { name: 'random', topic: 'Off-topic and links' },
  { name: 'support', topic: 'Questions about nestjs-realtime' },
];

export const ROOM_NAMES: readonly string[] = ROOMS.map(room => room.name);
