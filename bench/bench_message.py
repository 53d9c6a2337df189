"""Same messages as bench_message.c, built with Python's email package."""
import sys
import time
from email.message import EmailMessage
from email.headerregistry import Address
from email.utils import format_datetime, localtime
from email import policy

html_path, text_path, logo_path, seconds = sys.argv[1:5]
hpre, hpost = open(html_path, encoding="utf-8").read().split("{{nombre}}")
tpre, tpost = open(text_path, encoding="utf-8").read().split("{{nombre}}")
logo = open(logo_path, "rb").read()
limit = float(seconds)
n = 0
start = time.perf_counter()
while True:
    name = f"María José Núñez {n}"
    addr = f"contacto{n}@example.com"
    m = EmailMessage(policy=policy.SMTP)
    m["Date"] = format_datetime(localtime())
    m["From"] = Address("Voto Chilango — IECM", addr_spec="votochilango@iecm.example.org")
    m["Reply-To"] = "respuestas@iecm.example.org"
    m["To"] = Address(name, addr_spec=addr)
    m["Message-ID"] = f"<m42.{n:016x}@iecm.example.org>"
    m["Subject"] = "Corazón Chilango de noviembre: ¿ya te registraste para votar?"
    m["List-Id"] = "Corazón Chilango <corazon-chilango.iecm.example.org>"
    m["List-Unsubscribe"] = ("<mailto:bajas@iecm.example.org?subject=unsubscribe>, "
                             "<https://iecm.example.org/baja?t=0123456789abcdef>")
    m["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    m.set_content(tpre + name + tpost, cte="quoted-printable")
    m.add_alternative(hpre + name + hpost, subtype="html", cte="quoted-printable")
    m.get_payload()[1].add_related(logo, "image", "png", cid="<logo@votochilango.example.org>",
                                   filename="logo.png", disposition="inline")
    out = m.as_bytes()
    n += 1
    if n % 16 == 0:
        el = time.perf_counter() - start
        if el >= limit:
            break
print(f"python-email {n} {el:.3f} {len(out)}")
