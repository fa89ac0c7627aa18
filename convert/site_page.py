"""The site's page driven from Python: one page object for the tests, the
benchmarks and `evaluate.py --browser`, through the page's test hooks only
(`data-testid` and the `data-` attributes its views set).

    page = SitePage(context.new_page()).open(origin, "?backend=wasm")
    page.wait_ready()                        # -> the backend's name
    rows = page.add_files([path, ...])       # the new cards, once finished
    rows[0]["p_real"], rows[0]["faces"][0]["box"]
    page.choose_files([path, ...])           # the same, not waiting (to act mid-analysis)
    page.tensors()                           # the analysis engine's tensors
    page.export_json()                       # as "Download JSON" makes it

SitePage drives Chromium through Playwright; tests/browsers.py drives
Firefox and WebKit through Selenium with the same page scripts (READ_CARDS,
EXPORT_JSON), so a card reads the same in every engine.
"""
READY = "[data-testid=status][data-state=ready]"
FILE_INPUT = "[data-testid=file-input]"
CARD = "[data-testid=result]"
FINISHED = ("done", "error")
# The analysis engine's tensor count (TF.js runs in the engine's worker, not in the page).
ENGINE_TENSORS = "import('./js/app/main.js').then((m) => m.engine).then((e) => e.tensors())"

# A function of a list of card elements: each card as a row. Its data-
# attributes (as `dataset` names them) under "data"; the state, the verdict,
# P(real) (a number, or null without one), the error's text, its faces
# (P(real), crop box, detector box) and a video's frame rows.
READ_CARDS = """(cards) => {
  const num = (v) => (v === undefined || v === '' ? null : Number(v));
  const box = (v) => (v ? v.split(',').map(Number) : null);
  return cards.map((card) => ({
    data: { ...card.dataset },
    file: card.dataset.file ?? null,
    kind: card.dataset.kind ?? null,
    state: card.dataset.state ?? null,
    verdict: card.dataset.verdict ?? null,
    p_real: num(card.dataset.pReal),
    error: card.querySelector('[data-testid=error]')?.textContent ?? null,
    faces: [...card.querySelectorAll('[data-testid=face]')].map((f) => ({
      p_real: num(f.dataset.pReal), box: box(f.dataset.box), face_box: box(f.dataset.faceBox) })),
    frame_rows: [...card.querySelectorAll('[data-testid=frame]')].map((f) => ({
      time: num(f.dataset.time), p_real: num(f.dataset.pReal), error: f.dataset.error ?? null })),
  }));
}"""

# A function of (count, states): whether the first `count` cards exist and are in one of `states`.
CARDS_FINISHED = """([count, states]) => {
  const cards = [...document.querySelectorAll('[data-testid=result]')];
  return cards.length >= count && cards.slice(0, count).every((c) => states.includes(c.dataset.state));
}"""

# The body of an async function, run in the page: the JSON the export button
# makes, caught on its way to URL.createObjectURL, the link's click (the
# download) left out.
EXPORT_JSON = """
const made = [];
const create = URL.createObjectURL;
const click = HTMLAnchorElement.prototype.click;
URL.createObjectURL = (blob) => { made.push(blob); return create.call(URL, blob); };
HTMLAnchorElement.prototype.click = function () {};
try {
  document.querySelector('[data-testid=export-json]').click();
  // the export gathers the files' hashes first: wait for its download
  for (let waited = 0; !made.length && waited < 30000; waited += 20) {
    await new Promise((resolve) => { setTimeout(resolve, 20); });
  }
} finally {
  URL.createObjectURL = create;
  HTMLAnchorElement.prototype.click = click;
}
if (!made.length) throw new Error('the JSON export made no download in 30 s');
return JSON.parse(await made.at(-1).text());
"""


# A card out of view is not rendered (content-visibility: auto), and the
# innerText of what is not rendered is empty: the element is scrolled into
# view and read two frames later, as a person scrolling to it would read it.
RENDERED_TEXT = """(element) => {
  element.scrollIntoView({ block: 'nearest' });
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(element.innerText))));
}"""


def rendered_text(locator):
    """The text a person sees in an element of the page (a Playwright locator), line breaks included."""
    return locator.evaluate(RENDERED_TEXT)


def rows(raw):
    """READ_CARDS's rows with boxes as tuples of whole pixels (x, y, w, h)."""
    for row in raw:
        for face in row["faces"]:
            for key in ("box", "face_box"):
                face[key] = tuple(int(v) for v in face[key]) if face[key] else None
    return raw


class SitePage:
    """A Playwright page on the site (see the module's docstring)."""

    def __init__(self, page):
        self.page = page

    def open(self, origin, query=""):
        self.page.goto(f"{origin}/index.html{query}")
        return self

    def wait_ready(self, timeout_ms=60_000):
        """Until the status says ready; the active backend's name."""
        self.page.locator(READY).wait_for(timeout=timeout_ms)
        return self.page.locator("[data-testid=backend]").text_content()

    def card(self, index):
        """The card at `index` (0 for the first file added), as a locator."""
        return self.page.locator(CARD).nth(index)

    def cards(self):
        """Every card, as a row (READ_CARDS)."""
        return rows(self.page.locator(CARD).evaluate_all(READ_CARDS))

    def wait_cards(self, count, states=FINISHED, timeout_ms=120_000):
        """Until the first `count` cards are in one of `states`; every card's row."""
        self.page.wait_for_function(CARDS_FINISHED, arg=[count, list(states)], timeout=timeout_ms)
        return self.cards()

    def choose_files(self, paths):
        """Add files through the picker, as a person choosing them would, and
        return at once: for a test that acts while they are queued or analysed
        (before the page is ready, cancelling, removing a card). The index of
        the first new card."""
        start = self.page.locator(CARD).count()
        self.page.set_input_files(FILE_INPUT, [str(p) for p in paths])
        return start

    def add_files(self, paths, states=FINISHED, timeout_ms=120_000):
        """Add files through the picker, as a person choosing them would; the
        new cards' rows once each is in one of `states` (timeout_ms: per file)."""
        start = self.choose_files(paths)
        return self.wait_cards(start + len(paths), states, timeout_ms * max(1, len(paths)))[start:]

    def tensors(self):
        """Tensors alive in the page's analysis engine."""
        return self.page.evaluate(ENGINE_TENSORS)

    def export_json(self):
        """The results as the page's "Download JSON" button exports them."""
        return self.page.evaluate(f"async () => {{ {EXPORT_JSON} }}")
