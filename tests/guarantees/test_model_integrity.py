"""The page checks every model file against metadata.json before using it."""
import shutil

import pytest

from conftest import SITE_DIR, SITE_MODEL_DIR
from convert import webserver
from convert.site_page import FILE_INPUT


@pytest.fixture
def tampered_site(tmp_path, site_model):
    """A copy of site/model whose default model's shard is changed or cut short."""
    models = tmp_path / "model"
    shutil.copytree(SITE_MODEL_DIR, models)
    shard = next(name for name in site_model["files"] if name.endswith(".bin"))

    def serve(kind):
        path = models / site_model["id"] / shard
        data = bytearray((SITE_MODEL_DIR / site_model["id"] / shard).read_bytes())
        if kind == "flipped":
            data[len(data) // 2] ^= 0x01
        else:
            data = data[: len(data) // 2]
        path.write_bytes(bytes(data))
        return webserver.serve({"/": SITE_DIR, "/model": models})

    return serve, shard


@pytest.mark.parametrize("kind", ["flipped", "truncated"])
def test_damaged_shard_is_an_error_not_a_score(chromium, tampered_site, kind):
    serve, shard = tampered_site
    with serve(kind) as url:
        page = chromium.new_page()
        try:
            page.goto(f"{url}/index.html?backend=cpu")
            status = page.locator("[data-testid=status][data-state=error]")
            status.wait_for()
            assert f"{shard} is damaged or was changed" in status.inner_text()
            assert page.locator(FILE_INPUT).is_disabled()
        finally:
            page.close()
