// bench_template.js - the same bulletin with mustache.js, one thread.
// usage: node bench_template.js TEMPLATE PARTIALS_DIR EDITION.json CONTACTS.json SECONDS
//        node bench_template.js --dump N TEMPLATE PARTIALS_DIR EDITION.json CONTACTS.json
'use strict';
const fs = require('fs');
const path = require('path');
const Mustache = require('mustache');

let args = process.argv.slice(2);
let dump = -1;
if (args[0] === '--dump') { dump = Number(args[1]); args = args.slice(2); }
const [tplPath, partialsDir, editionPath, contactsPath, secs] = args;
const template = fs.readFileSync(tplPath, 'utf8');
const partials = {};
for (const f of fs.readdirSync(partialsDir))
  if (f.endsWith('.mustache')) partials[f.slice(0, -9)] = fs.readFileSync(path.join(partialsDir, f), 'utf8');
const edition = JSON.parse(fs.readFileSync(editionPath, 'utf8'));
const contacts = JSON.parse(fs.readFileSync(contactsPath, 'utf8'));
const base = new Mustache.Context(edition);
// Same escaping as the C engine (& < > " '), and the template is parsed once.
Mustache.escape = s => String(s).replace(/[&<>"']/g, c =>
  ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]);
Mustache.parse(template);
const render = c => Mustache.render(template, base.push(c), partials);
if (dump >= 0) { process.stdout.write(render(contacts[dump % contacts.length])); process.exit(0); }
const seconds = Number(secs || 3);
let renders = 0, chars = 0, i = 0;
for (let k = 0; k < 2000; k++) render(contacts[k % contacts.length]); // warm up the JIT
const start = process.hrtime.bigint();
let elapsed = 0;
while (elapsed < seconds) {
  for (let k = 0; k < 1000; k++) {
    chars += render(contacts[i]).length;
    i = (i + 1) % contacts.length;
  }
  renders += 1000;
  elapsed = Number(process.hrtime.bigint() - start) / 1e9;
}
console.log(`${Math.round(renders / elapsed)} ${Math.round(chars / renders)}`);
