import type { Command } from 'commander';
import { startClusterDeployment } from './cluster-deploy.js';

/**
 * `rabta cluster --nodes N`: the scale-out deployment on this machine (see
 * cluster-deploy.ts), until Ctrl-C or SIGTERM stops all of it.
 */
export function registerClusterCommand(program: Command): void {
  program
    .command('cluster')
    .description('HAProxy on PORT in front of N nodes on one PostgreSQL database (DATABASE_URL, default the local server’s rabta_cluster), with the demo federation seeded once')
    .option('--nodes <n>', 'how many nodes', '3')
    .option('--no-demo', 'an empty instance instead of the demo federation')
    .option('--scenario <name>', 'run a demo story through the cluster once it is up (disbursement)')
    .action(async (options: { nodes: string; demo: boolean; scenario?: string }) => {
      const count = Number(options.nodes);
      if (!Number.isInteger(count) || count < 1 || count > 32) throw new Error('--nodes must be a whole number from 1 to 32');
      if (options.scenario && !options.demo) throw new Error('--scenario runs on the demo federation');
      const cluster = await startClusterDeployment({ nodes: count, env: process.env, demo: options.demo, restartNodes: true });
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`\n${signal}: stopping HAProxy, ${cluster.nodes.length} nodes${cluster.demo ? ' and the demo services' : ''}…\n`);
        await cluster.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
      if (cluster.demo) process.stdout.write(cluster.demo.banner);
      process.stdout.write(
        [
          '',
          `Rabta cluster: ${cluster.url} (HAProxy, config ${cluster.haproxyConfigFile})`,
          ...cluster.nodes.map((node) => `  ${node.name}  ${node.url}  pid ${node.process.pid}`),
          `  database  ${redacted(cluster.databaseUrl)}`,
          `  keys      ${cluster.keysFile}`,
          'Ctrl-C stops everything.',
          '',
        ].join('\n'),
      );
      if (options.scenario && cluster.demo) {
        process.stdout.write(`\nScenario "${options.scenario}" through the cluster:\n`);
        try {
          const report = await cluster.demo.runScenario(options.scenario, cluster.demo.smsc);
          process.stdout.write(`\nWhat each party saw:\n${report.lines.map((line) => `  ${line}`).join('\n')}\n\nThe cluster keeps running; Ctrl-C stops it.\n`);
        } catch (error) {
          process.stderr.write(`\nthe scenario failed: ${(error as Error).message}\n`);
          process.exitCode = 1;
        }
      }
    });
}

function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
