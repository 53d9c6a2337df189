#!/usr/bin/python3
"""serve_browser - the unsubscribe page in a real Chromium, driven by ChromeDriver.

  serve_browser.py URL LIST_NAME SCREENSHOT_DIR LEDGER ADDRESS

Opens URL (GET BASE/TOKEN) at 375 and 800 px, checks what a person sees (the
list's name, the two choices, nothing cut off sideways), saves a screenshot
of each, chooses «Todas las comunicaciones del IECM», submits the form as a
person would (Chromium sends its own Origin and Sec-Fetch-Site), checks the
confirmation and the ledger (ADDRESS suppressed for everything), then clicks «Me di de baja por error» and checks the undo page.
Prints one line per step; exits 1 on the first failure.
"""
import sqlite3
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def after_click(d, button, heading):
    """Click a submit button and wait for the next page's <h1> to say heading."""
    old = d.find_element(By.TAG_NAME, "h1")
    button.click()

    def arrived(drv):
        try:
            h = drv.find_element(By.TAG_NAME, "h1")
            return h != old and heading in h.text
        except Exception:  # the old page is going away
            return False
    try:
        WebDriverWait(d, 20).until(arrived)
    except Exception:
        fail(f"after the click, no page with {heading!r}: {d.find_element(By.TAG_NAME, 'body').text!r}")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    url, list_name, shots, ledger, address = sys.argv[1:6]

    def scopes():
        with sqlite3.connect(ledger) as db:
            return [r[0] for r in db.execute(
                "SELECT scope FROM suppressions WHERE address = ?", (address,))]
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--disable-extensions",
              f"--user-data-dir={tempfile.mkdtemp()}"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        for width in (375, 800):
            d.set_window_size(width, 900)
            d.get(url)
            text = d.find_element(By.TAG_NAME, "body").text
            if list_name not in text:
                fail(f"{width} px: the page does not name the list {list_name!r}: {text!r}")
            for choice in ("Solo esta lista", "Todas las comunicaciones del IECM"):
                el = d.find_element(By.XPATH, f"//label[contains(., '{choice}')]")
                if not el.is_displayed():
                    fail(f"{width} px: «{choice}» is not shown")
            if scopes():
                fail(f"{width} px: opening the page unsubscribed: {scopes()}")
            sw = d.execute_script("return document.documentElement.scrollWidth")
            iw = d.execute_script("return window.innerWidth")
            if sw > iw:
                fail(f"{width} px: the page scrolls sideways ({sw} > {iw})")
            d.save_screenshot(f"{shots}/baja-{width}.png")
            print(f"ok: page at {width} px names {list_name!r} and both choices")
        d.find_element(By.CSS_SELECTOR, "input[name=alcance][value=todas]").click()
        after_click(d, d.find_element(By.XPATH, "//button[@type='submit']"), "baja quedó registrada")
        text = d.find_element(By.TAG_NAME, "body").text
        if "IECM" not in text:
            fail(f"confirmation page: {text!r}")
        if scopes() != ["*"]:
            fail(f"the ledger after the form: {scopes()}")
        print("ok: form submitted by the browser, confirmation shown, recorded for everything")
        after_click(d, d.find_element(By.XPATH, "//button[contains(., 'Me di de baja por error')]"),
                    "Su baja se deshizo")
        text = d.find_element(By.TAG_NAME, "body").text
        if "Su baja se deshizo" not in text:
            fail(f"undo page: {text!r}")
        if scopes():
            fail(f"the ledger after undo: {scopes()}")
        print("ok: undone from the confirmation page, nothing left in the ledger")
    finally:
        d.quit()


if __name__ == "__main__":
    main()
