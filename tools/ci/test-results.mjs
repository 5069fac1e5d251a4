#!/usr/bin/env node
// Reads the per-suite results that the vitest projects (JSON reporter) and pytest (JUnit XML) write under
// $CONFIDE_TEST_RESULTS, prints how many tests ran in each suite and which failed, and exits 1 when a suite that has a
// test target wrote nothing, ran zero tests, or had a failure.
// Usage: node tools/ci/test-results.mjs <results folder>
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const folder = process.argv[2];
if (!folder) {
  console.error('usage: node tools/ci/test-results.mjs <results folder>');
  process.exit(2);
}
const root = join(import.meta.dirname, '..', '..');

/** Nx projects that have the given target (the suites that must report). */
function projectsWithTarget(target) {
  const out = execFileSync(join(root, 'node_modules', '.bin', 'nx'), ['show', 'projects', '--with-target', target, '--json'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  return JSON.parse(out).sort();
}

const fileName = (project) => project.replaceAll('/', '__');

/** One vitest project's JSON report → counts and the names of failed tests (or files that failed to run). */
function readVitest(path) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  const counts = { ran: 0, passed: 0, failed: 0, skipped: 0 };
  const failures = [];
  for (const file of report.testResults) {
    const name = relative(root, file.name);
    for (const test of file.assertionResults) {
      if (test.status === 'passed') counts.passed += 1;
      else if (test.status === 'failed') {
        counts.failed += 1;
        failures.push(`${name} > ${test.fullName}`);
      } else counts.skipped += 1;
    }
    if (file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed')) {
      counts.failed += 1;
      failures.push(`${name} (the file failed: ${String(file.message ?? '').split('\n')[0]})`);
    }
  }
  counts.ran = counts.passed + counts.failed;
  return { counts, failures };
}

const attribute = (tag, key) => Number(new RegExp(`\\b${key}="(\\d+)"`).exec(tag)?.[1] ?? 0);

/** pytest's JUnit XML → the same shape. */
function readJunit(path) {
  const xml = readFileSync(path, 'utf8');
  const counts = { ran: 0, passed: 0, failed: 0, skipped: 0 };
  for (const [tag] of xml.matchAll(/<testsuite\b[^>]*>/g)) {
    const tests = attribute(tag, 'tests');
    const failed = attribute(tag, 'failures') + attribute(tag, 'errors');
    const skipped = attribute(tag, 'skipped');
    counts.failed += failed;
    counts.skipped += skipped;
    counts.passed += tests - failed - skipped;
  }
  counts.ran = counts.passed + counts.failed;
  const failures = [];
  for (const [, attributes, body] of xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    if (body && /<(failure|error)\b/.test(body)) {
      const classname = /classname="([^"]*)"/.exec(attributes)?.[1] ?? '';
      const name = /\bname="([^"]*)"/.exec(attributes)?.[1] ?? '';
      failures.push(`${classname}::${name}`);
    }
  }
  return { counts, failures };
}

const suites = [
  ...projectsWithTarget('test').map((project) => ({ kind: 'vitest', project, path: join(folder, 'vitest', `${fileName(project)}.json`), read: readVitest })),
  ...projectsWithTarget('test-python').map((project) => ({ kind: 'pytest', project, path: join(folder, 'pytest', `${fileName(project)}.xml`), read: readJunit })),
];

let bad = 0;
let total = 0;
const failedTests = [];
console.log('tests: suite                                   ran  passed  failed  skipped');
for (const suite of suites) {
  const label = `${suite.kind} ${suite.project}`.padEnd(40);
  if (!existsSync(suite.path)) {
    console.log(`tests: ${label} no results (the suite did not run, or crashed before reporting)`);
    bad += 1;
    continue;
  }
  const { counts, failures } = suite.read(suite.path);
  const row = [counts.ran, counts.passed, counts.failed, counts.skipped].map((n, i) => String(n).padStart(i === 0 ? 5 : 8)).join('');
  const problem = counts.ran === 0 ? '  <- ran zero tests' : counts.failed > 0 ? '  <- failed' : '';
  console.log(`tests: ${label}${row}${problem}`);
  total += counts.ran;
  if (counts.ran === 0 || counts.failed > 0) bad += 1;
  failedTests.push(...failures.map((failure) => `${suite.project}: ${failure}`));
}
console.log(`tests: ${total} tests ran in ${suites.length} suites`);
for (const failure of failedTests) console.log(`tests: FAILED ${failure}`);
if (bad > 0) {
  console.log(`tests: ${bad} suite(s) missing, empty or failing`);
  process.exit(1);
}
