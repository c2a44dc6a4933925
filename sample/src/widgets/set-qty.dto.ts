import { IsInt, Max, Min } from 'class-validator';
import { MAX_QTY } from './widget.model.js';

/** Body of `POST /widgets/:id/qty`: `{qty}`. */
export class SetQtyDto {
  @Max(MAX_QTY)
  @Min(0)
  @IsInt()
  qty!: number;
}
