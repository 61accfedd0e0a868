// Helpers for the demo transform: the orders stream's records and what the lake wants.
export interface DemoOrder {
  orderId: string;
  customer: string;
  city: string;
  items: number;
  total: number;
  currency: string;
  at: string;
}

export interface LakeOrder {
  id: string;
  customer: string;
  city: string;
  items: number;
  totalCents: number;
  at: string;
}

export function toLake(o: DemoOrder): LakeOrder {
  return { id: o.orderId, customer: o.customer, city: o.city, items: o.items, totalCents: Math.round(o.total * 100), at: o.at };
}

/** S3-friendly partition value: lower case, no spaces. */
export function cityKey(city: string): string {
  return city.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
