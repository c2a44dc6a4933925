import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Body of `POST /signin`, as a form (`user=alice&next=/widgets`) or as JSON. */
export class SignInDto {
  @IsString()
  @MaxLength(64)
  user!: string;

  /** Where to go after signing in (a path of this site). */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  next?: string;
}
