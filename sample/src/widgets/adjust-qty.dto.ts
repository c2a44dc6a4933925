import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';

/** Payload of the `AdjustQty` realtime action: `{id, delta}`. */
export class AdjustQtyDto {
  @MaxLength(32)
  @IsString()
  id!: string;

  @Max(1000)
  @Min(-1000)
  @IsInt()
  delta!: number;
}
