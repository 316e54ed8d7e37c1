"""How long the phone page takes to apply a results update (12-option dot vote), in Chromium.

The real page (``/j/<code>`` of a real ``chemins serve``, ``app/static/participant/phone.js``
unchanged) runs in Debian's Chromium with a 360 × 740 viewport. An init script wraps the
page's ``WebSocket`` so that the page's own ``message`` listener — ``JSON.parse``, the
``seq`` check, ``onResults`` and the redraw of the results table — runs between two
``performance.now()``. Nothing of the page is changed: the wrapper only times the
function the page registered.

Three measurements, each on the demo's dot vote (12 options):

1. real updates: 40 other phones vote over 4 s; the page receives the server's coalesced
   ``results`` and the wrapper times each one;
2. synthetic updates: 300 ``results`` built from the last real one (dots shuffled, so the
   table really changes), handed to the page's listener one every 20 ms, timed alone and
   followed by a forced style and layout (``getBoundingClientRect``) — what the browser
   must do before painting;
3. the same synthetic updates with Chromium's CPU throttled 4× (DevTools
   ``Emulation.setCPUThrottlingRate``), a rough stand-in for a modest phone.

Usage (from the repository root)::

    .venv/bin/python benchmarks/phone_apply.py [--json build/bench/phone_apply.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

from live_load import (
    VOTE_STEP,
    LoadConfig,
    Phone,
    Run,
    Target,
    machine,
    open_step,
    percentiles,
    start_chemins,
)

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TARGET_MS = 5.0

# Wraps the page's own message listener with performance.now(); keeps the last results text.
TIMING_SCRIPT = """
(() => {
  const Native = window.WebSocket;
  const bench = window.__bench = { listener: null, socket: null, real: [], lastResults: null };
  class Timed extends Native {
    constructor(...args) { super(...args); bench.socket = this; }
    addEventListener(type, listener, options) {
      if (type !== "message") { return super.addEventListener(type, listener, options); }
      bench.listener = listener;
      const socket = this;
      return super.addEventListener(type, function (event) {
        const started = performance.now();
        listener.call(socket, event);
        const spent = performance.now() - started;
        if (typeof event.data === "string" && event.data.startsWith('{"type":"results"')) {
          bench.real.push(spent);
          bench.lastResults = event.data;
        }
      }, options);
    }
  }
  window.WebSocket = Timed;
})();
"""

# Hands the page's listener synthetic results, one every 20 ms; timings in milliseconds.
SYNTHETIC_SCRIPT = """
async ([count, seed]) => {
  const bench = window.__bench;
  const base = JSON.parse(bench.lastResults);
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const script = [], layout = [];
  // Above anything the page has shown, this run's and the previous runs' updates included.
  let seq = Math.max(bench.seq || 0, base.seq) + 1000;
  for (let i = 0; i < count; i += 1) {
    const message = JSON.parse(JSON.stringify(base));
    seq += 1;
    message.seq = bench.seq = seq;
    const rows = message.tally.rows;
    rows.forEach((row) => { row.dots = Math.floor(random() * 400); row.voters = row.dots; });
    rows.sort((a, b) => b.dots - a.dots);
    rows.forEach((row, index) => { row.rank = index + 1; row.tied = false; });
    message.tally.voters = 400 + i;
    const event = new MessageEvent("message", { data: JSON.stringify(message) });
    const started = performance.now();
    bench.listener.call(bench.socket, event);
    const applied = performance.now();
    document.body.getBoundingClientRect();
    void document.body.offsetHeight;
    const laidOut = performance.now();
    script.push(applied - started);
    layout.push(laidOut - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const rows = document.querySelectorAll(".my-results tbody tr").length;
  const caption = document.querySelector("#results-title").textContent;
  return { script, layout, rows, caption };
}
"""


async def _real_updates(target: Target, step: dict[str, Any], phones: int) -> None:
    """Other phones vote over 4 s, so that the server broadcasts real results."""
    run = Run(target, LoadConfig(phones=phones))
    rng = random.Random(3)
    options = [option["id"] for option in step["options"]]
    clients = [Phone(run, index) for index in range(phones)]
    await asyncio.gather(*(phone.connect_and_join() for phone in clients))

    async def vote(phone: Phone) -> None:
        await asyncio.sleep(rng.uniform(0, 4))
        dots = dict.fromkeys(rng.sample(options, int(step["budget"])), 1)
        await phone.submit("first", {"type": "cast_ballot", "step_id": step["id"],
                                     "ballot": {"kind": "dot_vote", "dots": dots}})

    await asyncio.gather(*(vote(phone) for phone in clients))
    await asyncio.sleep(0.5)
    run.closing = True
    await asyncio.gather(*(phone.close() for phone in clients))


async def measure(target: Target, base_url: str, synthetic: int) -> dict[str, Any]:
    """Open the phone page, vote on it, then time real and synthetic results updates."""
    from playwright.async_api import async_playwright

    step = await open_step(target, VOTE_STEP)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 360, "height": 740}, locale="fr-FR")
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.add_init_script(TIMING_SCRIPT)
            await page.goto(f"{base_url}/j/{target.code}")
            await page.fill("#nickname", "Banc")
            await page.click("#join-form button[type=submit]")
            plus = page.locator("#step .option-list button:text-is('+')")
            await plus.first.wait_for()
            for index in range(int(step["budget"])):
                await plus.nth(index).click()
            await page.click("#step button[type=submit]")
            await page.locator(".submit-bar .state.ok").wait_for()
            await _real_updates(target, step, phones=40)
            real = await page.evaluate("window.__bench.real")
            plain = await page.evaluate(SYNTHETIC_SCRIPT, [synthetic, 11])
            session = await page.context.new_cdp_session(page)
            await session.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            throttled = await page.evaluate(SYNTHETIC_SCRIPT, [synthetic, 12])
            version = browser.version
        finally:
            await browser.close()
    if errors:
        raise RuntimeError(f"erreurs de la page : {errors}")
    for run in (plain, throttled):
        # The page must have drawn the last synthetic update, or nothing was measured.
        if f"({400 + synthetic - 1} votants)" not in run["caption"]:
            raise RuntimeError(f"la page n'a pas affiché la dernière mise à jour : {run}")
    options = len(step["options"])
    return {
        "chromium": version,
        "options": options,
        "table_rows": plain["rows"],
        "real_updates_ms": _ms(real),
        "synthetic_script_ms": _ms(plain["script"]),
        "synthetic_layout_ms": _ms(plain["layout"]),
        "throttled4x_script_ms": _ms(throttled["script"]),
        "throttled4x_layout_ms": _ms(throttled["layout"]),
    }


def _ms(values: list[float]) -> dict[str, float | int | None]:
    # percentiles() takes seconds.
    return percentiles(value / 1000 for value in values)


def main(argv: list[str] | None = None) -> int:
    """Command line: start a server, measure, print (and write ``--json``)."""
    parser = argparse.ArgumentParser(
        description="Temps d'application d'un résultat par la page du téléphone (Chromium)."
    )
    parser.add_argument("--synthetic", type=int, default=300,
                        help="mises à jour synthétiques (défaut 300)")
    parser.add_argument("--json", type=Path, help="écrire le rapport dans ce fichier JSON")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="chemins-phone-apply-"))
    load_before = [round(v, 2) for v in os.getloadavg()]
    server = start_chemins(workdir, max_connections=200)
    try:
        base_url = server.target.ws_url.removeprefix("ws://").removesuffix("/ws")
        report = asyncio.run(measure(server.target, f"http://{base_url}", args.synthetic))
    finally:
        server.stop()
    report["loadavg_before"] = load_before
    report["loadavg_after"] = [round(v, 2) for v in os.getloadavg()]
    report["machine"] = machine()
    print(f"Chromium {report['chromium']}, {report['options']} options, "
          f"{report['table_rows']} lignes de tableau (charge {load_before} → "
          f"{report['loadavg_after']})")
    for key, title in (
        ("real_updates_ms", "vraies mises à jour du serveur (script)"),
        ("synthetic_script_ms", "synthétiques, script"),
        ("synthetic_layout_ms", "synthétiques, script + mise en page"),
        ("throttled4x_script_ms", "processeur ralenti 4×, script"),
        ("throttled4x_layout_ms", "processeur ralenti 4×, script + mise en page"),
    ):
        figures = report[key]
        print(f"  {title} : {figures['count']} mesures, p50 {figures['p50']} ms, p95 "
              f"{figures['p95']} ms, p99 {figures['p99']} ms, max {figures['max']} ms")
    verdict = "tenu" if (report["synthetic_layout_ms"]["p99"] or 0) < TARGET_MS else "manqué"
    print(f"Objectif < {TARGET_MS:.0f} ms (p99, script + mise en page) : {verdict}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
