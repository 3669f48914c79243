"""Screenshot of a Superset dashboard in headless Chromium, logged in through the login page.

Runs in Superset's virtualenv (selenium and Pillow come with Superset) with the Debian
packages ``chromium`` and ``chromium-driver``::

    .venv-superset/bin/python bi/screenshot.py --base http://127.0.0.1:8088 --out dash.png

It asks for the admin's password (or reads BUDGET_SUPERSET_PASSWORD). Prints one JSON line:
the charts on the page, how many show an error, the image size and the number of distinct
colours in it (a blank or unstyled page has a handful).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import time

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("BUDGET_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("BUDGET_CHROMEDRIVER", "/usr/bin/chromedriver")
# one holder per dashboard component (a chart's holds a .chart-container, a markdown's none); a
# chart is drawn when its holder has a canvas or svg (ECharts) or a table (pivot table)
HOLDER = ".dashboard-component-chart-holder"
CHART = ".chart-container"
DRAWN = "canvas, svg, table"
ERRORS = f"{HOLDER} .alert-danger, {HOLDER} [data-test=error-message]"


def screenshot(base: str, slug: str, out: str, user: str, password: str, wait_s: float) -> dict:
    """Log in, open the dashboard, wait until every chart is drawn, save a PNG; report on it."""
    options = webdriver.ChromeOptions()
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1600,2100",
        "--lang=zh-CN",
    ):
        options.add_argument(argument)
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        wait = WebDriverWait(driver, wait_s)
        driver.get(base + "/login/")
        wait.until(ec.presence_of_element_located((By.ID, "username"))).send_keys(user)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(lambda d: "/login" not in d.current_url)
        driver.get(f"{base}/superset/dashboard/{slug}/?standalone=1")
        wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, CHART)))

        def holders(d: webdriver.Chrome) -> list:
            return [
                h
                for h in d.find_elements(By.CSS_SELECTOR, HOLDER)
                if h.find_elements(By.CSS_SELECTOR, CHART)
            ]

        wait.until(
            lambda d: (
                d.find_elements(By.CSS_SELECTOR, ERRORS)
                or all(h.find_elements(By.CSS_SELECTOR, DRAWN) for h in holders(d))
            )
        )
        charts = len(holders(driver))
        time.sleep(3)  # the charts' entry animations
        errors = len(driver.find_elements(By.CSS_SELECTOR, ERRORS))
        driver.save_screenshot(out)
    finally:
        driver.quit()
    with Image.open(out) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        return {
            "charts": charts,
            "errors": errors,
            "width": image.width,
            "height": image.height,
            "colours": len(colours) if colours else 1 << 20,
        }


def main() -> None:
    """Take the screenshot and print its report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="Superset's URL, e.g. http://127.0.0.1:8088")
    parser.add_argument("--slug", default="budget-overview")
    parser.add_argument("--out", required=True, help="PNG file to write")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for the charts")
    args = parser.parse_args()
    password = os.environ.get("BUDGET_SUPERSET_PASSWORD") or getpass.getpass()
    report = screenshot(args.base, args.slug, args.out, args.user, password, args.wait)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
