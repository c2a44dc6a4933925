import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { NEWS_MAX_LENGTH } from './news-item.js';

/** Body of `POST /news`. */
export class PostNewsDto {
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  // Decorators run bottom-up, so with stopAtFirstError the type is checked first.
  @MaxLength(NEWS_MAX_LENGTH)
  @IsNotEmpty()
  @IsString()
  text!: string;
}
