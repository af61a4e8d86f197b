// Runs the vendor's validation libraries themselves (validator.js, class-validator) and
// JavaScript's own built-ins over a corpus of inputs, and writes their verdicts to
// ../../tests/data/js-verdicts.json. The Rust tests (tests/api/js_verdicts.rs) check that the
// emulator gives the same verdict on every row, without needing Node.
//
//   cd tools/js-verdicts && npm ci && node generate.mjs
//
// `new Date()` reads a date-time without an offset in the process's local zone; the vendor's
// servers are taken to run in UTC (the emulator's decision), so this script does too.
process.env.TZ = 'UTC';

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import {
  isEmail, isISO8601, isMongoId, isNumber, isInt, isNotEmpty, isString, isIn, min, max,
} from 'class-validator';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
const VALIDATOR = `validator@${version('validator')}`;
const CLASS_VALIDATOR = `class-validator@${version('class-validator')}`;
const NODE = `node@${process.versions.node} (V8 ${process.versions.v8})`;
const via = (name) => `${CLASS_VALIDATOR} ${name} (validator.js: ${VALIDATOR})`;

const rows = [];
const seen = new Set();
function row(check, input, verdict, source, extra = {}) {
  const key = JSON.stringify([check, input, extra]);
  if (seen.has(key)) return;
  seen.add(key);
  rows.push({ check, input, ...extra, verdict, source });
}

// A JavaScript number as the table holds it: finite numbers as JSON numbers, the rest by name.
const num = (n) => (Number.isFinite(n) ? (Object.is(n, -0) ? 0 : n) : String(n));

// ---------------------------------------------------------------- isEmail
const l63 = 'a'.repeat(63);
const l64 = 'a'.repeat(64);
const emails = [
  'ann@acme.com', 'a.b+c@mail.acme.io', 'ANN@ACME.COM', 'a@b.co', 'a@b.c', 'a@b', 'ann@acme',
  '', 'ann', 'ann@', '@acme.com', 'ann@@acme.com', 'a@b@acme.com', 'a n@acme.com', ' ann@acme.com',
  'ann@acme.com ', 'ann@acme.com\n', '\tann@acme.com', 'ann@ acme.com', 'ann@acme .com',
  '"quoted"@example.com', '"quoted local"@example.com', '"a@b"@example.com', '"a\\"b"@example.com',
  '"a"b"@example.com', '""@example.com', '"@example.com', '"a\\\\b"@example.com', '"a\tb"@example.com',
  '"ü"@example.com', 'ü@example.com', 'a@ü.com', 'a@acme.ü', 'ann@xn--mnchen-3ya.de',
  'ann@acme.xn--p1ai', 'ann@acme.xn', 'ann@acme.x1', '用户@例子.广告', 'ann@例子.广告', '😀@acme.com',
  'ann@😀.com', 'ann@acme.😀', 'ann@ａcme.com', 'ａnn@acme.com', 'ann\u00a0@acme.com',
  `a@${l63}.com`, `a@${l64}.com`, `a@b.${l63}`, `a@b.${l64}`, `${l64}@acme.com`,
  `${'a'.repeat(65)}@acme.com`, `${'ü'.repeat(32)}@acme.com`, `${'ü'.repeat(33)}@acme.com`,
  `a@${(l63 + '.').repeat(3)}${'a'.repeat(57)}.com`, `a@${(l63 + '.').repeat(3)}${'a'.repeat(58)}.com`,
  `${l64}@${(l63 + '.').repeat(2)}${'b'.repeat(53)}.com`, `${l64}@${(l63 + '.').repeat(2)}${'b'.repeat(54)}.com`,
  'ann@[127.0.0.1]', 'ann@127.0.0.1', 'ann@[IPv6:::1]', 'ann@[::1]', 'ann@1.2.3.4.com',
  'ann@acme.com.', 'ann@.acme.com', 'ann@acme..com', 'ann.@acme.com', '.ann@acme.com',
  'a..b@acme.com', 'a.b.c@acme.com', 'ann+tag@acme.com', '+@acme.com', 'ann+@acme.com',
  "o'neil@acme.com", 'a!#$%&*/=?^_`{|}~-@acme.com', 'a(b)@acme.com', 'ann(comment)@acme.com',
  'ann@acme.com(comment)', 'a,b@acme.com', 'a;b@acme.com', 'a<b@acme.com', 'a[b]@acme.com',
  'a\\b@acme.com', 'a:b@acme.com', 'Ann <ann@acme.com>', '<ann@acme.com>', 'ann@acme.com>',
  'ann@-acme.com', 'ann@acme-.com', 'ann@ac-me.com', 'ann@ac--me.com', 'ann@acme.c-m',
  'ann@acme.co-', 'ann@acme.-co', 'ann@acme.123', 'ann@123.com', 'ann@acme.c0m', 'ann@acme_x.com',
  'ann_x@acme.com', 'ann@acme.com_', 'ann@ACME.COM', 'ann@acme.COM', 'ann@a.b.c.d.e.f.g.com',
  'ann@acme/x.com', 'ann@acme%x.com', 'ann@acme.com/', 'ann@acme.com?', 'ann@localhost',
  'ann@acme.com.au', 'ann@acme.c', 'ann@acme.co.', 'a@a.aa', 'ann@acme.\u00a1\u00a1', 'ann@acme.\u00a9\u00a9',
  'ann@acme.\u00a8\u00a8', 'ann@acme.\uff41\uff41', 'ann@\u3000.com', 'ann@acme\u2028.com',
  'ann\u0000@acme.com', 'ann@acme.com\u0000', '\ufeffann@acme.com', 'ann@acme.ab\u00b5',
  'ann@ｘn--abc.com', 'ann@xn--abc', 'ann@acme.xnab', 'ann@acme.XN--P1AI', 'ann@acme.xn-',
];
for (const text of emails) row('isEmail', text, isEmail(text), via('isEmail'));

// ---------------------------------------------------------------- isISO8601
const isoInputs = [
  '2026', '2026-04', '202604', '2026-04-30', '20260430', '2026-W18', '2026W18', '2026-W18-4',
  '2026W184', '2026-W53', '2026-W54', '2026-W00', '2026-W18-8', '2026-W18-0', '2026-120', '2026120',
  '2026-366', '2026-367', '2024-366', '2026-000', '2026-001', '20260430T100000Z',
  '20260430T1000Z', '2026-04-30T10:00:00Z', '2026-04-30T10:00:00.123Z', '2026-04-30T10:00:00,123Z',
  '2026-04-30T10:00:00.123456789Z', '2026-04-30T10:00,5', '2026-04-30T10,5', '2026-04-30T10.5Z',
  '2026-04-30T10:00:00+02:00', '2026-04-30T10:00:00+0200', '2026-04-30T10:00:00+02',
  '2026-04-30T10:00:00-23:59', '2026-04-30T10:00:00+24:00', '2026-04-30T10:00:00+02:60',
  '2026-04-30T10:00:00z', '2026-04-30t10:00:00Z', '2026-04-30 10:00:00', '2026-04-30  10:00:00',
  '2026-04-30T10', '2026-04-30T10:00', '2026-04-30T1000', '2026-04-30T10:0000', '2026-04-3010:00',
  '2026-04-30T', '2026-04-30 ', '2026-04-30TZ', '2026-04-30T+01:00', '2026-04-30T30',
  '2026-04-30T10:30:30', '2026-04-30T10:60', '2026-04-30T10:00:60', '2026-04-30T25:00',
  '2026-04-30T24:00:00', '2026-04-30T24:00', '2026-04-30T2400', '2026-04-30T24:01', '2026-04-30T24:0000',
  '2026-13-01', '2026-00-10', '2026-04-00', '2026-04-31', '2026-02-30', '2026-02-31', '2026-02-29',
  '2024-02-29', '1900-02-29', '2000-02-29', '2026-4-30', '2026-04-3', '26-04-30', '+2026-04-30',
  '-2026-04-30', '+002026-04-30', '12026-04-30', '0000-01-01', '9999-12-31T23:59:59.999Z',
  '2026-04-30T10:00:00.Z', '2026-04-30T10:00:00.', '2026-04-30T10:00:00ZZ', '2026-04-30T10:00:00 Z',
  '2026-04-30T10:00:00Z ', ' 2026-04-30', '2026-04-30T10:00:00.5:00', '2026-0430', '202604-30',
  '2026-04-30\u00a010:00', '2026-04-30\u200010:00', '2026-04-30\ufeff10:00', '2026-04-30\u0085 10:00',
  '2026-04-30\t10:00', '2026-04-30\n10:00', '2026-04-30T10:00:00.123+05:30', 'yesterday', '',
  '2026-04-30T10:00:00.000Z\n', '٢٠٢٦-04-30', '2026/04/30', 'Thu, 30 Apr 2026 10:00:00 GMT',
  '1777543200000', '2026-W18T10:00Z', '2026-120T10:00Z', '2026-04T10:00', '2026T10:00',
  '2026-012', '2026-013', '2026-007T10:00Z', '2026-001 10:00', '-2026-04-30T10:00Z', '+2026-04-30T10:00:00+0200',
  '2026-04-30 10:00:00+0200', '2026-04-30 10:00:00Z', '2026-04-30 10:00:00.5', '2026-04-30T10:00:00.5+0200',
  '2026-04 10:00', '2026 ', '2026-04 ', '2026-04-30T10:00 ', '2026-04-30T10:00:00-0030', '2026-04-30T10:00+01',
  '2026-04-30T10:00:00.1234', '2026-04-30T10:00Z', '2026-04-30T10:00:00.000+00:00', '2026-04-30T00:00:00-00:00',
  '2026-04-30T24:00Z', '2026-04-30T24:00:00.000Z', '2026-04-30 24:00', '2026-02-29T10:00Z', '2026-04-31 10:00',
  '2026-04-30T23:59:59.9999Z', '1970-01-01', '1969-12-31T23:59:59.999Z', '2026-04-30T10:00+00:30',
  '2026-04-30\u3000', '2026-04-30\t', '-0001-01-01', '+0001-01-01', '2026-04-30T10:00:00+23:59', '2026-04-30T10:00:00+1',
];
for (const text of isoInputs) {
  row('isISO8601', text, isISO8601(text), via('isISO8601'));
}

// ---------------------------------------------------------------- new Date(text)
// What `new Date()` reads, for the lastSync filter and the clock: every isISO8601 input,
// plus the instants the emulator's admin API and its tests send.
const dateInputs = [...isoInputs, '2026-04-30T10:00:00.5Z', '2026-04-30T09:30-0030',
  '2026-04-30T12:00:00+02:00', '2026-04-30t10:00z', '0000-01-01T00:00-23:59',
  '9999-12-31T23:59:59.999-23:59', '2026-04-30T10:00:00.123456789Z', '+275760-09-13T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z', '-271821-04-20T00:00:00.000Z', '-000001-01-01T00:00:00Z'];
for (const text of dateInputs) {
  const t = new Date(text).getTime();
  row('newDate', text, Number.isNaN(t) ? null : t, `${NODE} new Date(string).getTime() in UTC (null: Invalid Date)`);
}

// ---------------------------------------------------------------- isMongoId
const mongo = [
  '6630c1a2b4e5f6a7b8c9d0e1', '6630C1A2B4E5F6A7B8C9D0E1', '000000000000000000000000', 'ffffffffffffffffffffffff',
  '6630c1a2b4e5f6a7b8c9d0e', '6630c1a2b4e5f6a7b8c9d0e1f', '6630c1a2b4e5f6a7b8c9d0eg', '',
  '0x30c1a2b4e5f6a7b8c9d0e1', '0X30c1a2b4e5f6a7b8c9d0e1', '0h30c1a2b4e5f6a7b8c9d0e1', '0x',
  '0x6630c1a2b4e5f6a7b8c9d0e1', ' 6630c1a2b4e5f6a7b8c9d0e1', '6630c1a2b4e5f6a7b8c9d0e1 ', 'seg-001',
  '６630c1a2b4e5f6a7b8c9d0e1', '6630c1a2b4e5f6a7b8c9d0e\u0661',
];
for (const text of mongo) row('isMongoId', text, isMongoId(text), via('isMongoId'));

// ---------------------------------------------------------------- JSON-valued checks
const values = [0, 1, -1, 1.5, -0.5, 1e20, 1e308, -1e308, 5e-324, 9007199254740993, 100, 1000, 1001,
  '', ' ', '\u3000', '0', '1', 'abc', null, true, false, [], [1], {}, { a: 1 }];
for (const value of values) {
  row('isNumber', value, isNumber(value), `${CLASS_VALIDATOR} isNumber (default options)`);
  row('isInt', value, isInt(value), `${CLASS_VALIDATOR} isInt`);
  row('isNotEmpty', value, isNotEmpty(value), `${CLASS_VALIDATOR} isNotEmpty`);
  row('isString', value, isString(value), `${CLASS_VALIDATOR} isString`);
}
for (const value of ['   ', '\t', '\n', '\ufeff', 'a', ' a ']) {
  row('isNotEmpty', value, isNotEmpty(value), `${CLASS_VALIDATOR} isNotEmpty`);
}
const labelTypes = ['singleLineText', 'multiLineText', 'singleSelection', 'multiSelection', 'number', 'date'];
for (const value of [...labelTypes, 'SingleLineText', ' number', 'number ', 'text', '', null, 1, ['date'], true]) {
  row('isIn', value, isIn(value, labelTypes), `${CLASS_VALIDATOR} isIn`, { allowed: labelTypes });
}
for (const [value, bound] of [[1, 1], [0, 1], [-0, 1], [1000, 1000], [1001, 1000], [1e20, 1000]]) {
  row('min', value, min(value, bound), `${CLASS_VALIDATOR} min`, { bound });
  row('max', value, max(value, bound), `${CLASS_VALIDATOR} max`, { bound });
}

// ---------------------------------------------------------------- Number(text)
const numbers = [
  '10', '0x10', '0X10', '0b11', '0B11', '0o17', '0O17', ' 7 ', '\t7\n', '\u00a07\u3000', '\ufeff7',
  '\u20287\u2029', '\u0085 7', '\u180e7', '1e2', '1E2', '1e+2', '1e-2', '.5', '5.', '+5', '-5', '+-5',
  '', '   ', '7px', 'px7', '1,5', '1_000', '0x', '0x1g', '-0x10', '+0x10', '0b2', '0o8', '010', '00',
  '-0', 'Infinity', '-Infinity', '+Infinity', 'infinity', 'inf', 'NaN', '1e400', '-1e400',
  '99999999999999999999', '9007199254740993', '1.0', '1.5', '1e', 'e1', '.', '..1', '1..', '٣',
  '７', '0x7fffffffffffffffffff', '1 000', '100', '1000', '1001', '0', '1', '1e3', '1000.0',
];
for (const text of numbers) {
  const n = Number(text);
  row('Number', text, num(n), `${NODE} Number(string)`);
}

// ---------------------------------------------------------------- String.prototype.trim
const trims = [
  'acme.com', '  acme.com  ', '\tacme.com\n', '\u00a0acme.com\u00a0', '\ufeffacme.com', '\u3000acme.com',
  '\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200aacme.com', '\u1680acme.com',
  '\u202facme.com\u205f', '\u2028acme.com\u2029', '\u0085acme.com', '\u180eacme.com', '\u200bacme.com',
  '\u000bacme.com\u000c', '\racme.com\r\n', '', '   ', '\ufeff', 'a c', ' \u00a0 ',
];
for (const text of trims) {
  row('trim', text, text.trim(), `${NODE} String.prototype.trim`);
}

const out = {
  about: 'Verdicts of the vendor stack\'s validation libraries and JavaScript built-ins, one row per (check, input). Generated by tools/js-verdicts/generate.mjs; do not edit by hand.',
  sources: { validator: VALIDATOR, 'class-validator': CLASS_VALIDATOR, node: NODE, timezone: 'UTC' },
  rows,
};
const target = join(here, '..', '..', 'tests', 'data', 'js-verdicts.json');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, JSON.stringify(out, null, 1) + '\n');
const counts = {};
for (const r of rows) counts[r.check] = (counts[r.check] || 0) + 1;
console.log(`wrote ${rows.length} rows to ${target}`, counts);
