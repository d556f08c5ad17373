#!/usr/bin/env node
// Where the test suite's time goes, from the .trx files ./test.sh writes (artifacts/test-results/*.trx):
// per result file (project and engine) the wall time of the run, the number of tests and the sum of their
// durations, then the slowest tests over all files, and last every failed test with the start of its message (so
// the tail of a CI log names what failed).
//
//   node .ci/test-times.mjs [results folder] [--top N]
//
// A .trx file is Visual Studio's test result XML; only its <Times> element, its <Counters> element and the
// attributes of its <UnitTestResult> elements are read, which a few regular expressions do.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
let top = 10;
let folder = resolve(fileURLToPath(new URL('..', import.meta.url)), 'artifacts', 'test-results');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') {
    top = Number.parseInt(args[++i], 10);
  } else {
    folder = resolve(args[i]);
  }
}
if (!Number.isInteger(top) || top < 0) {
  console.error('usage: node .ci/test-times.mjs [results folder] [--top N]');
  process.exit(2);
}

const entities = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };
const unescape = (text) => text
  .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(Number.parseInt(hex, 16)))
  .replace(/&#([0-9]+);/g, (_, dec) => String.fromCodePoint(Number.parseInt(dec, 10)))
  .replace(/&(quot|amp|lt|gt|apos);/g, (_, name) => entities[name]);

/** The attributes of one XML start tag, unescaped. */
function attributes(tag) {
  const result = {};
  for (const [, name, value] of tag.matchAll(/([\w:]+)="([^"]*)"/g)) {
    result[name] = unescape(value);
  }
  return result;
}

/** "hh:mm:ss.fffffff" (a .trx duration) in seconds. */
function seconds(duration) {
  const match = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(duration ?? '');
  return match ? (Number(match[1]) * 3600) + (Number(match[2]) * 60) + Number(match[3]) : 0;
}

let files;
try {
  files = readdirSync(folder).filter((name) => name.endsWith('.trx')).sort();
} catch {
  files = [];
}
if (files.length === 0) {
  console.error(`no .trx files in ${folder}: run ./test.sh first`);
  process.exit(1);
}

const runs = [];
const tests = [];
for (const file of files) {
  const xml = readFileSync(join(folder, file), 'utf8');
  const name = basename(file, '.trx');
  const times = attributes(/<Times [^>]*>/.exec(xml)?.[0] ?? '');
  const counters = attributes(/<Counters [^>]*>/.exec(xml)?.[0] ?? '');
  let sum = 0;
  for (const match of xml.matchAll(/<UnitTestResult [^>]*?(\/>|>([\s\S]*?)<\/UnitTestResult>)/g)) {
    const result = attributes(/^<UnitTestResult [^>]*>/.exec(match[0])[0]);
    const duration = seconds(result.duration);
    sum += duration;
    const message = /<Message>([\s\S]*?)<\/Message>/.exec(match[2] ?? '')?.[1];
    tests.push({ run: name, name: result.testName, outcome: result.outcome, duration, message: message ? unescape(message) : '' });
  }
  const wall = times.start && times.finish ? (Date.parse(times.finish) - Date.parse(times.start)) / 1000 : Number.NaN;
  runs.push({ name, wall, sum, total: Number(counters.total ?? 0), failed: Number(counters.failed ?? 0) + Number(counters.error ?? 0) });
}

const width = Math.max(...runs.map((r) => r.name.length), 'result file'.length);
const row = (...cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(width) : String(c).padStart(10))).join('  ');
console.log(row('result file', 'tests', 'failed', 'wall s', 'sum of s'));
for (const r of runs) {
  console.log(row(r.name, r.total, r.failed, r.wall.toFixed(1), r.sum.toFixed(1)));
}
const wallTotal = runs.reduce((a, r) => a + r.wall, 0);
console.log(row('all', runs.reduce((a, r) => a + r.total, 0), runs.reduce((a, r) => a + r.failed, 0), wallTotal.toFixed(1), ''));
console.log('(wall: from the first test starting to the last finishing in that run; sum: the tests\' own durations, which overlap when test classes run in parallel)');

if (top > 0) {
  console.log('');
  console.log(`${top} slowest tests`);
  for (const t of tests.sort((a, b) => b.duration - a.duration).slice(0, top)) {
    const outcome = t.outcome === 'Passed' ? '' : `  [${t.outcome}]`;
    console.log(`${t.duration.toFixed(1).padStart(7)} s  ${t.run}  ${t.name}${outcome}`);
  }
}

const failed = tests.filter((t) => t.outcome !== 'Passed' && t.outcome !== 'NotExecuted');
if (failed.length > 0) {
  console.log('');
  console.log(`${failed.length} failed`);
  for (const t of failed) {
    console.log(`  ${t.run}  ${t.name}  [${t.outcome}, ${t.duration.toFixed(1)} s]`);
    for (const line of t.message.split(/\r?\n|\r/).filter((l) => l.trim() !== '').slice(0, 6)) {
      console.log(`      ${line.slice(0, 300)}`);
    }
  }
}
