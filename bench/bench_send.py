#!/usr/bin/python3
"""bench_send helper: makes the benchmark's MAILER_HOME and runs the smtplib peer.

  bench_send.py home DIR N [ROWS_FILE_NAME]   campaign "bench", its templates, N contacts
  bench_send.py smtplib HOME N CONC PORT      send N personalized messages with smtplib,
                                              CONC threads, one connection each; prints
                                              "smtplib N SECONDS"

The templates use only plain {{variable}} substitutions, so the peers render the
same files with a regular expression (HTML-escaped in the HTML part, as Mustache does).
"""
import csv
import html as htmlmod
import os
import re
import smtplib
import sys
import threading
import time
from email.message import EmailMessage

CITIES = [("Chicago", "Estados Unidos"), ("Dallas", "Estados Unidos"),
          ("Los Ángeles", "Estados Unidos"), ("Madrid", "España"), ("Montreal", "Canadá"),
          ("Houston", "Estados Unidos"), ("Berlín", "Alemania"), ("Bogotá", "Colombia")]
NAMES = ["María Fernanda", "José Luis", "Ana Sofía", "Juan Pablo", "Guadalupe", "Íñigo",
         "Ximena", "Héctor", "Citlali", "Ramón"]
SURNAMES = ["López Ibarra", "Hernández Peña", "Núñez Ortega", "García Ruiz", "Martínez Sáenz"]

PARA = ("<p style=\"margin:0 0 12px 0;line-height:1.5\">Este mes en <b>Corazón Chilango</b> te "
        "contamos cómo registrarte para votar desde {{ciudad}}, quiénes pueden ser observadores "
        "electorales y cuándo es la próxima conversación virtual con la comunidad chilanga en "
        "{{pais}}. ¡No te lo pierdas! ¿Tienes dudas? Escríbenos.</p>\n")
TPARA = ("Este mes en Corazón Chilango te contamos cómo registrarte para votar desde {{ciudad}} "
         "y cuándo es la próxima conversación virtual con la comunidad chilanga en {{pais}}.\n\n")


def make_home(home, n, rows_name="bench"):
    for d in ("campaigns", "templates", "contacts"):
        os.makedirs(os.path.join(home, d), exist_ok=True)
    html = ("<!DOCTYPE html>\n<html lang=\"es\"><head><meta charset=\"utf-8\">"
            "<title>Corazón Chilango</title></head>\n"
            "<body style=\"font-family:Arial,sans-serif;background:#f4f4f4\">\n"
            "<table width=\"600\" align=\"center\" cellpadding=\"0\" cellspacing=\"0\">\n"
            "<tr><td style=\"padding:24px\">\n<p>Hola, {{nombre}}:</p>\n")
    while len(html.encode()) < 2500:
        html += PARA
    html += ("<p>Tu registro: <a href=\"https://www.iecm.example/registro?c={{ciudad}}\">"
             "registrarme</a></p>\n<p>Saludos,<br>Voto Chilango — IECM</p>\n"
             "</td></tr></table></body></html>\n")
    text = "Hola, {{nombre}}:\n\n"
    while len(text.encode()) < 900:
        text += TPARA
    text += "Saludos,\nVoto Chilango — IECM\n"
    with open(os.path.join(home, "templates", "bench.html.mustache"), "w", encoding="utf-8") as f:
        f.write(html)
    with open(os.path.join(home, "templates", "bench.txt.mustache"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(home, "campaigns", f"{rows_name}.ini"), "w", encoding="utf-8") as f:
        f.write("[campaign]\nname = Corazón Chilango (benchmark)\nkind = bulletin\n"
                "subject = {{nombre}}, novedades de Corazón Chilango\n"
                "report_title = Benchmark\n"
                f"lists = {rows_name}\nfilter =\ntemplate = bench\n"
                "from = Voto Chilango <votochilango@votochilango.example>\n"
                "edition = once\ncontent =\nattachments =\n\n[defaults]\nnombre = amiga, amigo\n")
    with open(os.path.join(home, "contacts", f"{rows_name}.csv"), "w", encoding="utf-8",
              newline="") as f:
        w = csv.writer(f)
        w.writerow(["Nombre", "Apellidos", "Correo electrónico", "Ciudad", "País"])
        for i in range(n):
            city, country = CITIES[i % len(CITIES)]
            w.writerow([NAMES[i % len(NAMES)], SURNAMES[i % len(SURNAMES)],
                        f"persona{i}@dominio{i % 97}.example", city, country])


def contacts(home, n):
    with open(os.path.join(home, "contacts", "bench.csv"), encoding="utf-8") as f:
        r = csv.reader(f)
        next(r)
        for i, row in enumerate(r):
            if i >= n:
                break
            yield {"nombre": row[0], "apellidos": row[1], "correo": row[2], "ciudad": row[3],
                   "pais": row[4]}


VAR = re.compile(r"\{\{(\w+)\}\}")


def render(tpl, c, escape):
    if escape:
        return VAR.sub(lambda m: htmlmod.escape(c.get(m.group(1), ""), quote=True), tpl)
    return VAR.sub(lambda m: c.get(m.group(1), ""), tpl)


def run_smtplib(home, n, conc, port):
    html = open(os.path.join(home, "templates", "bench.html.mustache"), encoding="utf-8").read()
    text = open(os.path.join(home, "templates", "bench.txt.mustache"), encoding="utf-8").read()
    people = list(contacts(home, n))
    lock = threading.Lock()
    nxt = [0]
    errors = []

    def worker():
        s = smtplib.SMTP("127.0.0.1", port)
        s.ehlo("bench.example")
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(people):
                break
            c = people[i]
            m = EmailMessage()
            m["From"] = "Voto Chilango <votochilango@votochilango.example>"
            m["To"] = f"{c['nombre']} {c['apellidos']} <{c['correo']}>"
            m["Subject"] = f"{c['nombre']}, novedades de Corazón Chilango"
            m.set_content(render(text, c, False))
            m.add_alternative(render(html, c, True), subtype="html")
            try:
                s.send_message(m, from_addr="votochilango@votochilango.example",
                               to_addrs=[c["correo"]])
            except smtplib.SMTPException as e:
                errors.append(e)
        s.quit()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.monotonic() - t0
    if errors:
        print(f"smtplib: {len(errors)} errors, first: {errors[0]}", file=sys.stderr)
        sys.exit(1)
    print(f"smtplib {len(people)} {dt:.3f}")


if __name__ == "__main__":
    if sys.argv[1] == "home":
        make_home(sys.argv[2], int(sys.argv[3]), *(sys.argv[4:5]))
    elif sys.argv[1] == "smtplib":
        run_smtplib(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit("usage: bench_send.py home DIR N | smtplib HOME N CONC PORT")
