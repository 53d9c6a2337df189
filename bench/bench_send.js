// bench_send.js HOME N CONC PORT: Nodemailer peer of bench_send.sh. Sends N
// personalized messages (the campaign's own templates, plain {{variable}}
// substitution, HTML-escaped in the HTML part) over a pooled SMTP transport
// with maxConnections = CONC; prints "nodemailer N SECONDS".
'use strict';
const fs = require('fs');
const path = require('path');
const nodemailer = require('nodemailer');

const [home, nArg, concArg, portArg] = process.argv.slice(2);
const n = Number(nArg), conc = Number(concArg), port = Number(portArg);
const html = fs.readFileSync(path.join(home, 'templates', 'bench.html.mustache'), 'utf8');
const text = fs.readFileSync(path.join(home, 'templates', 'bench.txt.mustache'), 'utf8');

// The CSV written by bench_send.py has no quoted fields.
const lines = fs.readFileSync(path.join(home, 'contacts', 'bench.csv'), 'utf8').split(/\r?\n/);
const people = [];
for (let i = 1; i < lines.length && people.length < n; i++) {
  if (!lines[i]) continue;
  const [nombre, apellidos, correo, ciudad, pais] = lines[i].split(',');
  people.push({nombre, apellidos, correo, ciudad, pais});
}

const ESC = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};
const render = (tpl, c, escape) => tpl.replace(/\{\{(\w+)\}\}/g, (_, k) => {
  const v = c[k] === undefined ? '' : c[k];
  return escape ? v.replace(/[&<>"']/g, (ch) => ESC[ch]) : v;
});

const transport = nodemailer.createTransport({
  host: '127.0.0.1', port, secure: false, ignoreTLS: true,
  pool: true, maxConnections: conc, maxMessages: Infinity,
});

async function main() {
  const t0 = process.hrtime.bigint();
  let next = 0;
  // A few messages queued per connection keep the pool busy without holding
  // the whole audience in memory.
  async function worker() {
    while (next < people.length) {
      const c = people[next++];
      await transport.sendMail({
        from: 'Voto Chilango <votochilango@votochilango.example>',
        to: `${c.nombre} ${c.apellidos} <${c.correo}>`,
        subject: `${c.nombre}, novedades de Corazón Chilango`,
        text: render(text, c, false),
        html: render(html, c, true),
      });
    }
  }
  await Promise.all(Array.from({length: conc * 2}, worker));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  transport.close();
  console.log(`nodemailer ${people.length} ${secs.toFixed(3)}`);
}

main().catch((e) => { console.error('nodemailer:', e.message); process.exit(1); });
