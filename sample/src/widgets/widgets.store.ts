import { Injectable } from '@nestjs/common';
import type { Widget } from './widget.model.js';

function seed(): Widget[] {
  return [
    { id: '1', name: 'Sprocket', owner: 'alice', qty: 12 },
    { id: '2', name: 'Flux capacitor', owner: 'alice', qty: 3 },
    { id: '3', name: 'Gear train', owner: 'alice', qty: 40 },
    { id: '4', name: 'Hex bolt M6', owner: 'bob', qty: 250 },
    { id: '5', name: 'Servo motor', owner: 'bob', qty: 8 },
    { id: '6', name: 'Solar panel', owner: 'carol', qty: 15 },
  ];
}

/** The widgets, in memory (reset when the process restarts). */
@Injectable()
export class WidgetsStore {
  private readonly widgets = seed();

  all(): readonly Widget[] {
    return this.widgets;
  }

  find(id: string): Widget | undefined {
    return this.widgets.find(widget => widget.id === id);
  }
}
