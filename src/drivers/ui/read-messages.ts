/**
 * The patient's secure messages, as their user sees them: one row per message, its status in the
 * words shown (the map's table turns them into codes), its direction, the bounce text shown on it,
 * the read receipt, and whether the exchange was ended. A row is tied to its message by `rowId`,
 * which locates the row (like a selector) rather than reporting a value.
 */
import type { Page } from 'playwright';
import type { ThreadMessage } from '../driver';
import { NormSpec, norm } from './in-page';
import type { Seen } from './presses';
import { Reading, one, read } from './screen';
import { selfReported } from './selector-map';

export async function readMessages(reading: Reading, page: Page, seen: Seen): Promise<{ messages: ThreadMessage[]; ended?: boolean }> {
  const selectors = reading.map.selectors.messages;
  await one(page, 'messages.list', selectors.list, reading.findMs);
  const fields: Record<string, NormSpec> = {
    id: norm(selectors.rowId, 'messages.rowId')!,
    status: norm(selectors.rowStatus, 'messages.rowStatus')!,
  };
  if (selectors.rowDirection) fields.direction = norm(selectors.rowDirection, 'messages.rowDirection')!;
  if (selectors.rowBounce) fields.bounce = { css: selectors.rowBounce, name: 'messages.rowBounce' };
  if (selectors.rowRead) fields.read = { css: selectors.rowRead, name: 'messages.rowRead' };
  const res = await read(page, {
    groups: { rows: { css: selectors.row, fields } },
    ...(selectors.ended ? { present: { ended: selectors.ended } } : {}),
  });
  for (const f of selfReported([
    ['messages.status', selectors.rowStatus],
    ['messages.direction', selectors.rowDirection],
  ]))
    seen.declared.add(f);
  const messages = res.groups.rows.map((g): ThreadMessage => ({
    messageId: g.fields.id ?? '',
    direction: g.fields.direction === 'in' ? 'in' : 'out',
    status: (g.fields.status ?? 'sent') as ThreadMessage['status'],
    ...(g.fields.bounce ? { bounce: { text: g.fields.bounce } } : {}),
    ...(g.fields.read ? { readAt: g.fields.read } : {}),
  }));
  return { messages, ...(selectors.ended ? { ended: (res.present.ended ?? 0) > 0 } : {}) };
}
