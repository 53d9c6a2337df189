// Same messages as bench_message.c, built with Nodemailer's MailComposer.
const fs = require('fs');
const MailComposer = require('nodemailer/lib/mail-composer');

const [htmlPath, textPath, logoPath, seconds] = process.argv.slice(2);
const [hpre, hpost] = fs.readFileSync(htmlPath, 'utf8').split('{{nombre}}');
const [tpre, tpost] = fs.readFileSync(textPath, 'utf8').split('{{nombre}}');
const logo = fs.readFileSync(logoPath);
const limit = parseFloat(seconds) * 1000;

function build(n) {
  const name = `María José Núñez ${n}`;
  const addr = `contacto${n}@example.com`;
  const mail = new MailComposer({
    from: { name: 'Voto Chilango — IECM', address: 'votochilango@iecm.example.org' },
    replyTo: 'respuestas@iecm.example.org',
    to: { name, address: addr },
    subject: 'Corazón Chilango de noviembre: ¿ya te registraste para votar?',
    messageId: `<m42.${n.toString(16).padStart(16, '0')}@iecm.example.org>`,
    date: new Date(),
    text: tpre + name + tpost,
    html: hpre + name + hpost,
    textEncoding: 'quoted-printable',
    list: {
      id: { url: 'corazon-chilango.iecm.example.org', comment: 'Corazón Chilango' },
      unsubscribe: ['mailto:bajas@iecm.example.org?subject=unsubscribe',
                    'https://iecm.example.org/baja?t=0123456789abcdef'],
    },
    headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    attachments: [{ filename: 'logo.png', content: logo, cid: 'logo@votochilango.example.org' }],
  });
  return new Promise((resolve, reject) =>
    mail.compile().build((err, msg) => (err ? reject(err) : resolve(msg))));
}

(async () => {
  const start = process.hrtime.bigint();
  let n = 0;
  let out;
  let el = 0;
  for (;;) {
    out = await build(n);
    n++;
    if (n % 16 === 0) {
      el = Number(process.hrtime.bigint() - start) / 1e6;
      if (el >= limit) break;
    }
  }
  console.log(`node-nodemailer ${n} ${(el / 1000).toFixed(3)} ${out.length}`);
})();
