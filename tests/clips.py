"""Pictures and video clips the tests make themselves from the repository's
four test images: fixture faces on a plain background, pictures as JPEG and
clips as WebM (VP8) with OpenCV, which every Chromium plays. Frames of the
labelled dataset clips (../shared) are read here too."""
from pathlib import Path

import cv2
import numpy as np

from convert.preprocess import decode

FRAME_SIZE = (640, 480)  # width, height
BACKGROUND = 128


def place(faces, size=FRAME_SIZE):
    """An RGB frame with each (face RGB array, (x, y)) pasted on grey."""
    width, height = size
    frame = np.full((height, width, 3), BACKGROUND, np.uint8)
    for face, (x, y) in faces:
        h, w = face.shape[:2]
        frame[y:y + h, x:x + w] = face
    return frame


def face_picture(path, face_paths, size=FRAME_SIZE, side=None, quality=92):
    """A JPEG picture of fixture faces (resized to `side` px, or as they are)
    spread along the middle of a grey frame; returns the path."""
    width, height = size
    faces = [decode(p) if side is None else
             cv2.resize(decode(p), (side, side), interpolation=cv2.INTER_AREA) for p in face_paths]
    step = width // len(faces)
    placed = [(face, (i * step + (step - face.shape[1]) // 2, (height - face.shape[0]) // 2))
              for i, face in enumerate(faces)]
    cv2.imwrite(str(path), cv2.cvtColor(place(placed, size), cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_JPEG_QUALITY, quality])
    return Path(path)


def write_webm(path, frames, fps):
    """Write RGB frames as a VP8 WebM; returns the path."""
    path = Path(path)
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"VP80"), fps, (width, height))
    assert writer.isOpened(), "OpenCV cannot write VP8 WebM here"
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def face_frames(face_paths, count, side=240, drift=4):
    """Frames of fixture faces (resized to `side`) side by side, moving `drift`
    pixels a frame (so a person must be followed, not found at one place)."""
    faces = [cv2.resize(decode(p), (side, side), interpolation=cv2.INTER_AREA) for p in face_paths]
    frames = []
    for i in range(count):
        placed, x = [], 30
        for face in faces:
            placed.append((face, (x + (i * drift) % 40, 120)))
            x += side + 60
        frames.append(place(placed))
    return frames


def face_clip(path, face_paths, seconds=3, fps=10, **kwargs):
    """A WebM of face_frames."""
    return write_webm(path, face_frames(face_paths, int(seconds * fps), **kwargs), fps)


def read_frame(path, time):
    """The RGB frame a player shows at `time` seconds (the last one starting at or before it)."""
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.set(cv2.CAP_PROP_POS_FRAMES, int(time * fps + 1e-6))
    ok, frame = capture.read()
    capture.release()
    assert ok, f"could not read {path} at {time} s"
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


def write_frame_jpeg(clip, path, index=30):
    """Frame `index` of a clip, as OpenCV decodes it, written as a JPEG (quality 92); returns the path."""
    capture = cv2.VideoCapture(str(clip))
    capture.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, frame = capture.read()
    capture.release()
    assert ok, f"could not read frame {index} of {clip}"
    cv2.imwrite(str(path), frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return Path(path)
