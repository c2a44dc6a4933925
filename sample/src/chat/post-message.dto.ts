import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { CHAT_MESSAGE_MAX_LENGTH } from './chat-message.model.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Body of `POST /rooms/:room/messages`. */
export class PostMessageDto {
  @Transform(trim)
  // Decorators run bottom-up, so with stopAtFirstError the type is checked first.
  @MaxLength(CHAT_MESSAGE_MAX_LENGTH)
  @IsNotEmpty()
  @IsString()
  text!: string;
}
