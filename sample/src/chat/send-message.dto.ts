import { IsIn } from 'class-validator';
import { PostMessageDto } from './post-message.dto.js';
import { ROOM_NAMES } from './room.model.js';

/** Payload of the `SendMessage` realtime action: `{room, text}`. */
export class SendMessageDto extends PostMessageDto {
  @IsIn(ROOM_NAMES)
  room!: string;
}
