/** Event name of a quantity change pushed on `widgets:<id>`. */
export const WIDGET_QTY_CHANGED = 'WidgetQtyChanged';

/** The channel family of widgets: `widgets:<id>`. */
export const WIDGETS_FAMILY = 'widgets';

/** Largest quantity a widget may have. */
export const MAX_QTY = 1_000_000;

/** A stocked item, owned by one user. */
export interface Widget {
  id: string;
  name: string;
  /** Name of the owning user. */
  owner: string;
  qty: number;
}

/** The payload of `WidgetQtyChanged`. */
export interface WidgetQtyChanged {
  qty: number;
}
