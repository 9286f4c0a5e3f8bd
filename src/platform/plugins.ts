import { exchangePlugin } from '../exchange/index.js';
import { receiptRoutes } from '../exchange/receipts.js';
import { databaseRecorder } from '../exchange/record.js';
import type { ServerOptions } from '../http/server.js';
import { ledgerRoutes } from '../ledger/routes.js';
import type { Platform } from './index.js';
import { exchangeRecorder } from './recorders.js';

/** Route plugins of the modules beyond the registry, in the order they are served. */
export function platformPlugins(platform: Platform): NonNullable<ServerOptions['plugins']> {
  return [exchangePlugin({ recorder: exchangeRecorder(databaseRecorder, platform.ledger) }), (app) => ledgerRoutes(app, platform.ledger), (app) => receiptRoutes(app, platform)];
}
