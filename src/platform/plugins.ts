import { exchangePlugin } from '../exchange/index.js';
import type { ServerOptions } from '../http/server.js';
import type { Platform } from './index.js';

/** Route plugins of the modules beyond the registry, in the order they are served. */
export function platformPlugins(_platform: Platform): NonNullable<ServerOptions['plugins']> {
  return [exchangePlugin()];
}
