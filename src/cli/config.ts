import { ConfigError, loadConfig } from '../config/index.js';

/** The configuration from the environment, or the reason it is wrong and exit code 2. */
export function configOrExit(env: Record<string, string | undefined> = process.env) {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}
