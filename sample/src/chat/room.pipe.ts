import { Injectable, NotFoundException, type PipeTransform } from '@nestjs/common';
import { ROOMS, type Room } from './room.model.js';

/** Turns a `:room` route parameter into its room; unknown rooms are 404. */
@Injectable()
export class RoomPipe implements PipeTransform<string, Room> {
  transform(name: string): Room {
    const room = ROOMS.find(candidate => candidate.name === name);
    if (!room) throw new NotFoundException(`No room named "${name}"`);
    return room;
  }
}
