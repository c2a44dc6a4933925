import { IsIn } from 'class-validator';
import { ROOM_NAMES } from './room.model.js';

/** Payload of the `JoinRoom` realtime action: `{room}`. */
export class JoinRoomDto {
  @IsIn(ROOM_NAMES)
  room!: string;
}
