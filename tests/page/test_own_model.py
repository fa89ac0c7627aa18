"""The user's own model in the page: the picker shows it once it is in use,
it can be kept on this device (IndexedDB) and comes back after a reload,
checked by sha256, and a model that is not MesoNet says so."""
import json

import pytest

from convert.constants import SITE_MODEL_DIR, TEST_IMAGES_DIR
from convert.site_page import SitePage

FACE = sorted((TEST_IMAGES_DIR / "real").glob("*.jpg"))[0]
SELECT = "[data-testid=model-select]"


def model_files(folder):
    return [str(p) for p in sorted(folder.iterdir()) if p.name in ("model.json", "metadata.json")
            or p.suffix == ".bin"]


def wait_model(page, name):
    page.locator("[data-testid=model-name]", has_text=name).wait_for(timeout=60_000)
    SitePage(page).wait_ready()


def analyse(page, path):
    """P(real) of one more file, through the picker (page: a Playwright page)."""
    return SitePage(page).add_files([path], states=("done",), timeout_ms=60_000)[0]["p_real"]


def options(page):
    return page.eval_on_selector_all(f"{SELECT} option", "os => os.map((o) => [o.value, o.textContent])")


@pytest.fixture
def f2f():
    return json.loads((SITE_MODEL_DIR / "meso4-f2f" / "metadata.json").read_text())["name"]


def test_the_picker_shows_the_model_in_use(open_page, f2f):
    page = open_page("?backend=wasm").page
    SitePage(page).wait_ready()
    page.set_input_files("[data-testid=own-model-input]", model_files(SITE_MODEL_DIR / "meso4-f2f"))
    wait_model(page, f2f)
    assert page.input_value(SELECT) == "own-model"
    assert ["own-model", f"{f2f} (your files)"] in options(page)
    own_score = analyse(page, FACE)
    page.select_option(SELECT, "meso4-df")
    wait_model(page, "Deepfake")
    page.select_option(SELECT, "own-model")  # back to the files picked before
    wait_model(page, f2f)
    assert analyse(page, FACE) == own_score
    assert page.is_hidden("[data-testid=model-note]")


def test_a_kept_model_comes_back_after_a_reload(open_page, f2f):
    recorded = open_page("?backend=wasm")
    page = recorded.page
    SitePage(page).wait_ready()
    page.check("[data-testid=keep-model]")
    page.set_input_files("[data-testid=own-model-input]", model_files(SITE_MODEL_DIR / "meso4-f2f"))
    wait_model(page, f2f)
    page.locator("[data-testid=keep-note]", has_text="kept on this device").wait_for()
    page.reload()
    SitePage(page).wait_ready()
    assert page.is_checked("[data-testid=keep-model]")
    assert ["own-model", f"{f2f} (kept on this device)"] in options(page)
    assert page.input_value(SELECT) == "meso4-df"  # offered, not forced on the visitor
    page.select_option(SELECT, "own-model")
    wait_model(page, f2f)
    kept = analyse(page, FACE)
    page.select_option(SELECT, "meso4-f2f")
    wait_model(page, f2f)
    assert analyse(page, FACE) == kept  # the same model as the site's copy
    page.uncheck("[data-testid=keep-model]")
    page.locator("[data-testid=keep-note]", has_text="no longer kept").wait_for()
    page.reload()
    SitePage(page).wait_ready()
    assert not page.is_checked("[data-testid=keep-model]")
    assert "own-model" not in [value for value, _ in options(page)]
    assert recorded.foreign_requests() == [] and recorded.errors == []


def test_a_changed_kept_model_is_refused(open_page, f2f):
    page = open_page("?backend=wasm").page
    SitePage(page).wait_ready()
    page.check("[data-testid=keep-model]")
    page.set_input_files("[data-testid=own-model-input]", model_files(SITE_MODEL_DIR / "meso4-f2f"))
    page.locator("[data-testid=keep-note]", has_text="kept on this device").wait_for(timeout=60_000)
    page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('mesonet-own-model');
        open.onsuccess = () => {
          const store = open.result.transaction('models', 'readwrite').objectStore('models');
          const get = store.get('kept');
          get.onsuccess = () => {
            const record = get.result;
            const shard = record.files.find((f) => f.name.endsWith('.bin'));
            new Uint8Array(shard.bytes)[100] ^= 0xff;
            store.put(record, 'kept').onsuccess = () => resolve();
          };
        };
        open.onerror = () => reject(open.error);
      })""")
    page.reload()
    SitePage(page).wait_ready()
    page.select_option(SELECT, "own-model")
    page.locator("[data-testid=status]", has_text="damaged or was changed").wait_for(timeout=60_000)
    assert "does not match the sha256 recorded" in page.text_content("[data-testid=status]")
    assert "Deepfake" in page.text_content("[data-testid=model-name]")
    assert page.input_value(SELECT) == "meso4-df"


def test_a_model_that_is_not_mesonet_says_so(open_page, tmp_path):
    from convert.export import export
    from convert.tfenv import keras

    inputs = keras.Input((256, 256, 3))
    x = keras.layers.Conv2D(4, 3, strides=4, activation="relu")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x)).save(tmp_path / "other.h5")
    export(tmp_path / "other.h5", tmp_path / "other", name="Another network", not_mesonet=True,
           check_parity=False, log=lambda _: None)
    page = open_page("?backend=wasm").page
    SitePage(page).wait_ready()
    assert page.is_hidden("[data-testid=model-note]")
    page.set_input_files("[data-testid=own-model-input]", model_files(tmp_path / "other"))
    wait_model(page, "Another network")
    note = page.locator("[data-testid=model-note]")
    assert note.is_visible() and note.inner_text().startswith("not MesoNet")
    assert 0 <= analyse(page, FACE) <= 1
    page.select_option(SELECT, "meso4-df")
    wait_model(page, "Deepfake")
    assert page.is_hidden("[data-testid=model-note]")
