// Shared pieces of `npm run bench`: statistics, the machine's description, formatting, and the
// record every row writes into (one JSON file per run, under the ignored .cache/bench/).
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

/** The value at quantile `q` (0..1) of `values`, nearest rank; NaN for no values. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
export const median = (values) => quantile(values, 0.5);
export const p99 = (values) => quantile(values, 0.99);

/** `a / b` as `12.3x`, or `n/a` when either side is missing. */
export function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}x`;
}

export function ms(value) {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  return `${value.toFixed(2)} ms`;
}
export const us = (value) => (Number.isFinite(value) ? `${value.toFixed(value >= 100 ? 0 : 1)} µs` : 'n/a');
export const kb = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KB` : 'n/a');
export const mb = (bytes) =>
  Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB` : 'n/a';

/** Prints a table: `rows` are arrays of cells, the first row the header; columns padded. */
export function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c] ?? '').length)));
  for (const [i, row] of rows.entries()) {
    const line = row.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])));
    console.log(`  ${line.join('  ')}`);
    if (i === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  }
}

export function machine() {
  const version = (path) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')).version;
    } catch {
      return undefined;
    }
  };
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryBytes: totalmem(),
    playwright: version('node_modules/playwright-core/package.json'),
  };
}

/** The 1, 5 and 15 minute load averages, rounded. */
export const load = () => loadavg().map((value) => Math.round(value * 100) / 100);

/**
 * A row's outcome. `status`: `ok`, `skipped` (cannot run here: `reason` says why) or `broken`
 * (it ran and something a user would see went wrong: `reason` says what). Broken rows fail the run.
 */
export function outcome(status, reason, data = {}) {
  return { status, ...(reason ? { reason } : {}), ...data };
}

/** Which process ids a pid and its children are (Linux: /proc), for RSS and CPU sums. */
export function processTree(pid) {
  const pids = [pid];
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)) {
      if (child) pids.push(...processTree(Number(child)));
    }
  } catch {
    // No /proc here, or the process is gone: what was found is all there is.
  }
  return pids;
}

const TICKS_PER_SECOND = 100; // USER_HZ on every Linux that node runs on.

/** RSS bytes and CPU seconds (user + system) of `pids`, summed; undefined off Linux. */
export function usage(pids) {
  let rss = 0;
  let cpu = 0;
  try {
    for (const pid of pids) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      // Fields after the command name (which may hold spaces): utime is the 14th field, stime the 15th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    }
  } catch {
    return undefined;
  }
  return { rss, cpu };
}
