"""Videos in real Chromium through the test hooks (issue 4): the dataset clips
end to end, clips made here from the fixture faces, several people, bad
files, cancel, sampling settings, the timeline, heatmaps of a frame, exports,
and tensors back to baseline."""
import base64
import wave

import numpy as np
import pytest
from PIL import Image

from clips import face_clip, face_frames, read_frame, write_webm
from conftest import CLIPS, FIXTURES
from convert import mesonet
from convert.preprocess import to_input
from convert.site_page import CARD, rendered_text
from test_site import band

FINISHED = "xpath=self::*[@data-state='done' or @data-state='error' or @data-state='cancelled']"
REAL_FACES = sorted((FIXTURES / "real").glob("*.jpg"))
FAKE_FACES = sorted((FIXTURES / "df").glob("*.jpg"))
# A clip frame decoded by Chromium against the same frame decoded by OpenCV
# (both FFmpeg, but their YUV to RGB conversions may round differently),
# scored on the same box: measured up to 6.2e-4 on the FF++ fake clip.
DECODE_TOLERANCE = 5e-3
# The page and Keras on the very same pixels: the backend's arithmetic only.
PIPELINE_TOLERANCE = 1e-4


def add_videos(page, paths, timeout=180_000):
    """Add files through the picker; once each card is finished, the new cards' locators."""
    start = page.page.locator(CARD).count()
    page.add_files(paths, states=("done", "error", "cancelled"), timeout_ms=timeout)
    return [page.card(start + i) for i in range(len(paths))]


def frame_rows(card):
    """Every [data-testid=frame] of a card as (time, p_real or None)."""
    return card.locator("[data-testid=frame]").evaluate_all(
        "rows => rows.map((r) => [Number(r.dataset.time),"
        " r.dataset.pReal === undefined ? null : Number(r.dataset.pReal)])")


@pytest.fixture(scope="module")
def keras_df():
    model = mesonet.load_source("meso4-df").model
    return lambda inputs: model(np.stack(inputs).astype(np.float32), training=False).numpy().reshape(-1)


def check_consistent(card, thresholds):
    """The card's score is the mean of its frame scores (one person) and its verdict is that score's band."""
    rows = frame_rows(card)
    assert int(card.get_attribute("data-frames")) == len(rows) > 0
    scores = [p for _, p in rows if p is not None]
    p_real = float(card.get_attribute("data-p-real"))
    assert min(scores) - 1e-9 <= p_real <= max(scores) + 1e-9
    assert card.get_attribute("data-verdict") == band(p_real, thresholds)
    return rows, scores, p_real


def worker_tensors(cards):
    """The video worker's tensor count after each card: all equal when nothing leaks."""
    counts = [card.get_attribute("data-worker-tensors") for card in cards]
    assert all(c is not None for c in counts), "videos are analysed in the video worker"
    return counts


@pytest.mark.datasets
@pytest.mark.parametrize("name", sorted(CLIPS))
def test_dataset_clips_end_to_end(open_page, site_model, name):
    page = open_page("?backend=wasm")
    page.wait_ready()
    before = page.tensors()
    (card,) = add_videos(page, [CLIPS[name]])
    assert card.get_attribute("data-kind") == "video" and card.get_attribute("data-state") == "done"
    assert card.get_attribute("data-engine") == "worker", card.get_attribute("data-engine-why")
    # FF++ is H.264 High 4:4:4, which WebCodecs is not trusted with; DFDC is H.264 High.
    assert card.get_attribute("data-reader") == ("video-element" if name.startswith("ffpp") else "webcodecs")
    rows, scores, p_real = check_consistent(card, site_model["thresholds"])
    duration = 30.04 if name.startswith("ffpp") else 10.01
    assert len(rows) == int(duration), "default sampling: one frame per second"
    times = [t for t, _ in rows]
    assert times == sorted(times) and 0 < times[0] < 1 and duration - 1 < times[-1] < duration
    assert len(scores) >= 0.8 * len(rows), f"faces found in only {len(scores)} of {len(rows)} frontal-face frames"
    if len(card.locator("[data-testid=frame]").evaluate_all("rs => rs.filter((r) => r.dataset.faces > 1)")) == 0:
        assert p_real == pytest.approx(np.mean(scores), abs=1e-9), "one person: the mean over frames with a face"
    if name == "ffpp_fake":
        assert card.get_attribute("data-verdict") == "fake"
    assert page.tensors() == before
    assert page.errors == [] and page.foreign_requests() == []


@pytest.fixture(scope="module")
def made_clip(tmp_path_factory):
    """A 3 s WebM of two fixture faces moving (30 frames at 10 fps)."""
    return face_clip(tmp_path_factory.mktemp("clip") / "two-people.webm", [REAL_FACES[0], FAKE_FACES[1]],
                     seconds=3, side=200)


def page_frame(page, card, time, reader):
    """The frame at `time` as the page's reader gave it (RGB uint8), from the card's player's file:
    WebCodecs (video-decode.js, here on the page: the same decoder as in the engine's worker) or
    the <video> (video-frames.js)."""
    data = page.page.evaluate("""async ([url, time, reader]) => {
      let bitmap;
      if (reader === 'webcodecs') {
        const { decodeFrame } = await import('./js/engine/video-decode.js');
        bitmap = await decodeFrame(await (await fetch(url)).blob(), time);
      } else {
        const { grabVideoFrame } = await import('./js/sources/video-frames.js');
        bitmap = await grabVideoFrame(url, time);
      }
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      bitmap.close();
      let text = '';
      for (let i = 0; i < rgba.length; i += 4) text += String.fromCharCode(rgba[i], rgba[i + 1], rgba[i + 2]);
      return [btoa(text), canvas.width, canvas.height];
    }""", [card.locator("video").get_attribute("src"), time, reader])
    rgb = np.frombuffer(base64.b64decode(data[0]), np.uint8)
    return rgb.reshape(data[2], data[1], 3)


def test_frame_scores_equal_keras_on_the_same_frames_and_boxes(open_page, keras_df, made_clip):
    """Each frame's faces, scored in the page, equal Keras on the same pixels
    (the frame as the page's decoder gives it) and the same boxes."""
    page = open_page("?backend=wasm")
    page.wait_ready()
    (card,) = add_videos(page, [made_clip])
    (result,) = page.export_json()["results"]
    assert result["kind"] == "video" and len(result["frames"]) == 3
    assert result["reader"] == card.get_attribute("data-reader") == "webcodecs", "a VP8 WebM is read with WebCodecs"
    assert result["reader_switched"] is None and {f["reader"] for f in result["frames"]} == {"webcodecs"}
    inputs, page_scores = [], []
    for frame in result["frames"]:
        rgb = page_frame(page, card, frame["time"], frame["reader"])
        for face in frame["faces"]:
            inputs.append(to_input(rgb, tuple(int(v) for v in face["box"].split(","))))
            page_scores.append(face["p_real"])
    assert len(inputs) == 6, "both people in every frame"
    np.testing.assert_allclose(page_scores, keras_df(inputs), atol=PIPELINE_TOLERANCE)


@pytest.mark.datasets
def test_frame_scores_of_an_h264_clip_equal_keras_on_opencvs_frames(open_page, keras_df):
    """The FF++ H.264 clip: the page's frames (Chromium's decoder) against
    OpenCV's decoding of the same frames, scored on the same boxes."""
    page = open_page("?backend=wasm")
    page.wait_ready()
    clip = CLIPS["ffpp_fake"]
    add_videos(page, [clip])
    (result,) = page.export_json()["results"]
    assert result["kind"] == "video" and len(result["frames"]) == 30
    inputs, page_scores = [], []
    for frame in result["frames"][::5]:
        rgb = read_frame(clip, frame["time"])
        for face in frame["faces"]:
            inputs.append(to_input(rgb, tuple(int(v) for v in face["box"].split(","))))
            page_scores.append(face["p_real"])
    assert len(inputs) >= 5
    np.testing.assert_allclose(page_scores, keras_df(inputs), atol=DECODE_TOLERANCE)


@pytest.mark.parametrize("face", [REAL_FACES[1], FAKE_FACES[0], FAKE_FACES[1]], ids=lambda p: p.name)
def test_clip_of_a_fixture_face_agrees_with_the_still_image(open_page, tmp_path, site_model, face):
    """The same picture as a still image and as a 3 s WebM: the video's verdict
    and score agree with the image's."""
    still = tmp_path / f"still-{face.stem}.png"
    Image.fromarray(face_frames([face], 1, drift=0)[0]).save(still)
    clip = face_clip(tmp_path / f"clip-{face.stem}.webm", [face], drift=0)
    page = open_page("?backend=wasm")
    page.wait_ready()
    image_card, video_card = add_videos(page, [still, clip])
    image_p = float(image_card.get_attribute("data-p-real"))
    _, scores, video_p = check_consistent(video_card, site_model["thresholds"])
    assert len(scores) == 3
    assert video_card.get_attribute("data-verdict") == image_card.get_attribute("data-verdict")
    assert video_p == pytest.approx(image_p, abs=0.05)


def test_two_people_are_followed_apart_and_the_most_suspicious_decides(open_page, tmp_path, site_model):
    clip = face_clip(tmp_path / "two.webm", [REAL_FACES[1], FAKE_FACES[1]], seconds=4)
    page = open_page("?backend=wasm")
    page.wait_ready()
    (card,) = add_videos(page, [clip])
    assert card.get_attribute("data-frames") == "4"
    (result,) = page.export_json()["results"]
    people = {}
    for frame in result["frames"]:
        assert len(frame["faces"]) == 2
        for face in frame["faces"]:
            x = int(face["box"].split(",")[0])
            people.setdefault(face["person"], []).append((x, face["p_real"]))
    assert len(people) == 2, "the same two people in every frame"
    means = {k: np.mean([p for _, p in v]) for k, v in people.items()}
    left, right = sorted(people, key=lambda k: people[k][0][0])
    assert all(x < 320 for x, _ in people[left]) and all(x > 250 for x, _ in people[right])
    assert means[right] < means[left], "the manipulated face (right) is the more suspicious"
    assert float(card.get_attribute("data-p-real")) == pytest.approx(means[right], abs=1e-9)
    assert "2 people" in rendered_text(card)


def test_video_without_faces_gets_a_no_face_result(open_page, tmp_path):
    rng = np.random.default_rng(0)
    noise = [rng.integers(0, 255, (240, 320, 3), dtype=np.uint8) for _ in range(40)]
    clip = write_webm(tmp_path / "noise.webm", noise, 10)
    page = open_page("?backend=wasm")
    page.wait_ready()
    before = page.tensors()
    (card,) = add_videos(page, [clip])
    assert card.get_attribute("data-state") == "done"
    assert card.get_attribute("data-verdict") == "no-face" and card.get_attribute("data-p-real") is None
    rows = frame_rows(card)
    assert len(rows) == 4 and all(p is None for _, p in rows)
    assert "No face found" in rendered_text(card)
    assert page.tensors() == before


def test_frames_without_a_face_stay_on_the_timeline(open_page, tmp_path):
    """A face for 2 s, then 2 s of an empty grey frame: the face share is over
    the frames read, and the frames without a face are marks on the timeline
    that show the whole frame when chosen."""
    grey = np.full((480, 640, 3), 128, np.uint8)
    clip = write_webm(tmp_path / "leaves.webm", face_frames([REAL_FACES[0]], 20) + [grey] * 20, 10)
    page = open_page("?backend=wasm")
    page.wait_ready()
    (card,) = add_videos(page, [clip])
    rows = frame_rows(card)
    assert [p is None for _, p in rows] == [False, False, True, True]
    assert float(card.get_attribute("data-face-share")) == 0.5
    summary = rendered_text(card.locator("[data-testid=video-summary]"))
    assert "a face was found in 2 of the 4 frames looked at (50%)" in summary
    timeline = card.locator("[data-testid=timeline]")
    assert timeline.locator("circle.point").count() == 2
    marks = timeline.locator(".point-none")
    assert marks.count() == 2
    assert all("no face found" in marks.nth(i).get_attribute("aria-label") for i in range(2))
    marks.nth(1).click()
    detail = card.locator("[data-testid=frame-detail]")
    assert float(detail.get_attribute("data-time")) == pytest.approx(rows[3][0])
    detail.locator("xpath=self::*[@data-picture='done']").wait_for(timeout=30_000)
    assert "no face found" in rendered_text(detail)
    assert detail.locator("[data-testid=frame-picture]").count() == 1, "the whole frame is shown"
    assert page.errors == []


def audio_only_webm(page):
    """One second of a tone recorded by the page's MediaRecorder: a WebM with no video track."""
    import base64

    data = page.page.evaluate("""async () => {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const out = audio.createMediaStreamDestination();
      tone.connect(out);
      tone.start();
      const recorder = new MediaRecorder(out.stream, { mimeType: 'audio/webm' });
      const chunks = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
      recorder.start();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      recorder.stop();
      await stopped;
      tone.stop();
      const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
      let text = '';
      for (const b of bytes) text += String.fromCharCode(b);
      return btoa(text);
    }""")
    return base64.b64decode(data)


def test_bad_videos_each_get_a_clear_card_and_the_others_finish(open_page, tmp_path):
    import cv2

    page = open_page("?backend=wasm")
    page.wait_ready()
    before = page.tensors()
    files = {}
    noise = np.random.default_rng(1).integers(0, 255, 50_000, dtype=np.uint8)
    files["corrupt.mp4"] = b"\x00\x00\x00\x18ftypmp42" + bytes(noise)
    data = face_clip(tmp_path / "whole.webm", [REAL_FACES[0]], seconds=8).read_bytes()
    files["truncated.webm"] = data[: len(data) // 4]
    files["voice.webm"] = audio_only_webm(page)
    files["empty.mp4"] = b""
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    with wave.open(str(tmp_path / "voice.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
        w.writeframes(np.zeros(8000, np.int16).tobytes())
    # MPEG-4 Part 2, which Chromium does not decode.
    writer = cv2.VideoWriter(str(tmp_path / "old-codec.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 240))
    for i in range(10):
        writer.write(np.full((240, 320, 3), i * 20, np.uint8))
    writer.release()
    # A WebM with a header and no frames.
    writer = cv2.VideoWriter(str(tmp_path / "no-frames.webm"), cv2.VideoWriter_fourcc(*"VP80"), 10, (320, 240))
    writer.release()
    good = face_clip(tmp_path / "good.webm", [REAL_FACES[1]], seconds=2)
    names = ["corrupt.mp4", "truncated.webm", "voice.webm", "voice.wav", "empty.mp4", "old-codec.mp4", "no-frames.webm"]
    cards = add_videos(page, [tmp_path / n for n in names] + [good])
    by_name = {c.get_attribute("data-file"): c for c in cards}
    messages = {}
    for name in names:
        card = by_name[name]
        error = card.locator("[data-testid=error]")
        messages[name] = rendered_text(error) if error.count() else None
    assert "cannot be played" in messages["corrupt.mp4"] or "could not be read" in messages["corrupt.mp4"]
    assert "audio only" in messages["voice.webm"]
    assert "audio" in messages["voice.wav"]
    assert "empty" in messages["empty.mp4"]
    assert "codec" in messages["old-codec.mp4"] or "cannot be played" in messages["old-codec.mp4"]
    assert messages["no-frames.webm"] is not None
    # The truncated clip either fails with a message or keeps the frames read before the cut, and says so.
    truncated = by_name["truncated.webm"]
    if messages["truncated.webm"] is None:
        assert truncated.get_attribute("data-state") == "done"
        assert "could not be decoded" in rendered_text(truncated) or int(truncated.get_attribute("data-frames")) > 0
    assert by_name["good.webm"].get_attribute("data-state") == "done"
    assert by_name["good.webm"].get_attribute("data-verdict") == "real"
    assert page.tensors() == before
    analysed = [c for c in cards if c.get_attribute("data-worker-tensors") is not None]
    assert len(set(worker_tensors(analysed))) == 1, "failed videos leave no tensors in the worker"
    assert page.errors == [] and page.foreign_requests() == []


def test_an_hour_long_video_is_sampled_within_bounds(open_page, tmp_path):
    rng = np.random.default_rng(2)
    tiles = [rng.integers(0, 255, (48, 64, 3), dtype=np.uint8) for _ in range(8)]
    clip = write_webm(tmp_path / "hour.webm", [tiles[i % 8] for i in range(3600)], 1)
    page = open_page("?backend=wasm")
    page.wait_ready()
    (card,) = add_videos(page, [clip])
    rows = frame_rows(card)
    assert card.get_attribute("data-frames") == "64" and len(rows) == 64
    times = [t for t, _ in rows]
    assert times[0] < 60 and times[-1] > 3540, "spread over the whole hour"
    # Times as the player shows them: h:mm:ss, not 60:00.0.
    axis = card.locator("[data-testid=timeline] text.axis").all_text_contents()
    assert axis[-2:] == ["0:00:00", "1:00:00"], axis
    assert card.locator("[data-testid=frame] td").first.text_content().startswith("0:00:")


def test_sampling_settings_and_cancel_mid_video(open_page, tmp_path):
    ten = face_clip(tmp_path / "ten-seconds.webm", [REAL_FACES[0]], seconds=10, fps=5)
    thirty = face_clip(tmp_path / "thirty-seconds.webm", [FAKE_FACES[0]], seconds=30, fps=10)
    page = open_page("?backend=wasm")
    page.wait_ready()
    before = page.tensors()
    page.page.fill("[data-testid=video-rate]", "2")
    page.page.fill("[data-testid=video-max-frames]", "5")
    (card,) = add_videos(page, [ten])
    times = [t for t, _ in frame_rows(card)]
    assert len(times) == 5 and np.allclose(np.diff(times), times[1] - times[0], atol=1e-6)

    page.page.fill("[data-testid=video-rate]", "10")
    page.page.fill("[data-testid=video-max-frames]", "200")
    page.choose_files([thirty, REAL_FACES[1]])
    video = page.page.locator("[data-testid=result]").nth(1)
    page.page.wait_for_function(
        "() => Number(document.querySelectorAll('[data-testid=result]')[1]?.dataset.framesDone) >= 3", timeout=60_000)
    assert video.locator("[data-testid=progress]").get_attribute("max") == "200"
    video.locator("[data-testid=cancel]").click()
    video.locator(FINISHED).wait_for(timeout=30_000)
    assert video.get_attribute("data-state") == "cancelled"
    analysed = int(video.get_attribute("data-frames"))
    assert 3 <= analysed < 200 and len(frame_rows(video)) == analysed
    assert "Cancelled after" in rendered_text(video)
    image = page.page.locator("[data-testid=result]").nth(2)
    image.locator(FINISHED).wait_for(timeout=60_000)
    assert image.get_attribute("data-state") == "done", "the next file still runs"
    assert page.tensors() == before
    first = page.page.locator("[data-testid=result]").nth(0)
    assert len(set(worker_tensors([first, video]))) == 1, "cancelling leaves no tensors in the worker"


def test_without_workers_videos_are_analysed_on_the_page_with_the_same_scores(chromium, site_url, tmp_path):
    """Browsers without module workers or OffscreenCanvas fall back to the page's thread."""
    from conftest import RecordedPage

    clip = face_clip(tmp_path / "face.webm", [FAKE_FACES[1], REAL_FACES[1]], seconds=3)
    scores = {}
    for where in ("worker", "page"):
        context = chromium.new_context()
        try:
            if where == "page":
                context.add_init_script("delete window.Worker")
            page = RecordedPage(context.new_page(), site_url)
            page.page.goto(f"{site_url}/index.html?backend=wasm")
            page.wait_ready()
            before = page.tensors()
            (card,) = add_videos(page, [clip])
            assert card.get_attribute("data-engine") == where, card.get_attribute("data-engine-why")
            assert card.get_attribute("data-state") == "done"
            scores[where] = [p for _, p in frame_rows(card)]
            assert page.tensors() == before
            assert page.errors == []
        finally:
            context.close()
    np.testing.assert_allclose(scores["page"], scores["worker"], atol=1e-6)


def analyse_on(chromium, site_dir, clip):
    """The clip's JSON result on a site served from `site_dir` (a fresh context), and the tensors back."""
    from conftest import RecordedPage
    from convert import webserver

    with webserver.serve({"/": site_dir}) as url:
        context = chromium.new_context()
        try:
            page = RecordedPage(context.new_page(), url)
            page.page.goto(f"{url}/index.html?backend=wasm")
            page.wait_ready()
            before = page.tensors()
            (card,) = add_videos(page, [clip])
            assert card.get_attribute("data-state") == "done"
            (result,) = page.export_json()["results"]
            assert result["reader"] == card.get_attribute("data-reader")
            assert page.tensors() == before
            assert page.errors == [] and page.foreign_requests() == []
            return result
        finally:
            context.close()


def frame_scores(result):
    return [[face["p_real"] for face in frame["faces"]] for frame in result["frames"]]


@pytest.fixture(scope="module")
def webcodecs_read(chromium, site_url, made_clip):
    """The two-people clip as the site reads it (WebCodecs in Chromium)."""
    from convert.constants import SITE_DIR

    result = analyse_on(chromium, SITE_DIR, made_clip)
    assert result["reader"] == "webcodecs" and result["reader_switched"] is None
    return result


# The same frames through either reader: Chromium's WebCodecs frames (BT.601,
# see video-decode.js) and its <video>'s differ by 2e-5 levels on average
# (1 at most), which moves no score by more than this.
READER_TOLERANCE = 1e-3


def test_a_video_webcodecs_cannot_decode_is_read_by_the_video_element(chromium, tmp_path, made_clip, webcodecs_read):
    """WebCodecs says it cannot decode the video (here: made to say so for VP8):
    every frame comes from the <video>, the result says so and why, and the
    scores are those of the same frames read with WebCodecs."""
    from conftest import MEDIABUNNY_CANNOT_DECODE, site_with_mediabunny

    result = analyse_on(chromium, site_with_mediabunny(tmp_path / "site", MEDIABUNNY_CANNOT_DECODE), made_clip)
    assert result["reader"] == "video-element"
    assert "cannot decode vp8" in result["reader_why"], result["reader_why"]
    assert result["reader_switched"] is None
    assert [f["reader"] for f in result["frames"]] == ["video-element"] * 3
    assert [f["time"] for f in result["frames"]] == [f["time"] for f in webcodecs_read["frames"]]
    np.testing.assert_allclose(sum(frame_scores(result), []), sum(frame_scores(webcodecs_read), []),
                               atol=READER_TOLERANCE)


def test_a_decoder_failing_mid_video_hands_the_rest_to_the_video_element(chromium, tmp_path, made_clip,
                                                                          webcodecs_read):
    """The decoder fails after two frames (an error mid-file): the third is read
    by the <video>, none is skipped or wrong, and the result says where and why."""
    from conftest import MEDIABUNNY_FAILS_AT_FRAME, site_with_mediabunny

    site = site_with_mediabunny(tmp_path / "site", MEDIABUNNY_FAILS_AT_FRAME % (2, 2))
    result = analyse_on(chromium, site, made_clip)
    assert result["reader"] == "webcodecs"
    assert [f["reader"] for f in result["frames"]] == ["webcodecs", "webcodecs", "video-element"]
    times = [f["time"] for f in result["frames"]]
    assert times == [f["time"] for f in webcodecs_read["frames"]]
    switched = result["reader_switched"]
    assert switched["time"] == times[2] and "the decoder fails here" in switched["why"], switched
    assert all(f["error"] is None for f in result["frames"])
    np.testing.assert_allclose(sum(frame_scores(result), []), sum(frame_scores(webcodecs_read), []),
                               atol=READER_TOLERANCE)


def test_timeline_click_seeks_and_shows_the_frame_with_its_heatmap(open_page, tmp_path, site_model):
    clip = face_clip(tmp_path / "face.webm", [FAKE_FACES[1]], seconds=4)
    page = open_page("?backend=wasm")
    page.wait_ready()
    before = page.tensors()
    (card,) = add_videos(page, [clip])
    rows = frame_rows(card)
    point = card.locator("[data-testid=timeline] circle").nth(2)
    point.click()
    detail = card.locator("[data-testid=frame-detail]")
    assert float(detail.get_attribute("data-time")) == pytest.approx(rows[2][0])
    player_time = card.locator("video").evaluate("v => v.currentTime")
    assert player_time == pytest.approx(rows[2][0], abs=0.01)
    face = detail.locator("[data-testid=face]")
    assert face.count() == 1 and float(face.get_attribute("data-p-real")) == pytest.approx(rows[2][1])
    # "Most suspicious" only for frames in the manipulated band (this face scores uncertain in the clip).
    fake_below = site_model["thresholds"]["fake_below"]
    in_band = [p for _, p in rows if p is not None and p < fake_below]
    assert card.locator("[data-testid=suspicious-frame]").count() == min(4, len(in_band))
    if not in_band:
        assert "No frame scored in the “likely manipulated” band" in rendered_text(card)
    # Heatmaps on: the selected frame's map is computed on demand, from the frame read again.
    page.page.check("[data-testid=heatmap-toggle]")
    heatmap = detail.locator("[data-testid=face] [data-testid=heatmap]")
    heatmap.wait_for(timeout=60_000)
    values = np.array([float(v) for v in heatmap.get_attribute("data-map").split(",")])
    assert heatmap.get_attribute("data-map-size") and values.max() == pytest.approx(1.0) and values.min() >= 0
    # Another frame, with heatmaps already on, gets its own map.
    card.locator("[data-testid=timeline] circle").nth(0).click()
    assert float(detail.get_attribute("data-time")) == pytest.approx(rows[0][0])
    assert detail.get_attribute("data-heatmaps") is None, "the new frame's maps are not drawn yet"
    detail.locator("xpath=self::*[@data-heatmaps='done']").wait_for(timeout=60_000)
    assert detail.locator("[data-testid=face] [data-testid=heatmap]").count() == 1
    assert page.tensors() == before
    assert page.errors == []


def test_video_results_in_the_json_and_csv_exports(open_page, tmp_path):
    import csv
    import io

    clip = face_clip(tmp_path / "face.webm", [REAL_FACES[1]], seconds=3)
    page = open_page("?backend=wasm")
    page.wait_ready()
    (card,) = add_videos(page, [clip])
    (result,) = page.export_json()["results"]
    assert result["kind"] == "video" and result["p_real"] == float(card.get_attribute("data-p-real"))
    assert [f["time"] for f in result["frames"]] == [t for t, _ in frame_rows(card)]
    assert result["face_share"] == 1.0 and result["spread"]["min"] <= result["p_real"] <= result["spread"]["max"]
    with page.page.expect_download() as info:
        page.page.click("[data-testid=export-csv]")
    table = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8").read())))
    assert [float(r["time"]) for r in table] == [f["time"] for f in result["frames"]]
    assert all(r["kind"] == "video" and r["face"] == "1" for r in table)
