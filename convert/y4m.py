"""Fake-camera video for Chromium (--use-file-for-fake-video-capture): Y4M
files written from RGB frames, and face pictures pasted into webcam-sized
frames. Used by tests/page/test_webcam.py and bench/webcam.py.

Y4M: a text header, then per frame "FRAME\\n" and the planar Y, Cb, Cr
planes, chroma subsampled 2x2 (4:2:0). C420jpeg means JPEG's full-range
BT.601 YCbCr, so that is the conversion used here.
"""
import numpy as np

FRAME_SIZE = (640, 480)  # width, height: a common webcam default
FRAME_RATE = 15  # frames per second written in the header
GREY = 128  # background of the frames the faces are pasted into


def rgb_to_ycbcr(rgb):
    """Full-range BT.601 (JPEG) YCbCr planes, float, from RGB uint8 (H, W, 3)."""
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return y, cb, cr


def ycbcr_to_rgb(y, cb, cr):
    """The inverse of rgb_to_ycbcr, rounded and clipped to RGB uint8."""
    r = y + 1.402 * (cr - 128)
    g = y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128)
    b = y + 1.772 * (cb - 128)
    return np.clip(np.rint(np.stack([r, g, b], axis=-1)), 0, 255).astype(np.uint8)


def _plane(values):
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def frame_bytes(rgb):
    """One frame's planar 4:2:0 bytes (width and height must be even)."""
    height, width = rgb.shape[:2]
    if height % 2 or width % 2:
        raise ValueError(f"Y4M 4:2:0 needs even sizes, got {width}x{height}")
    y, cb, cr = rgb_to_ycbcr(rgb)

    def half(plane):  # mean of each 2x2 block (centred chroma siting, as C420jpeg)
        return plane.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))

    return b"".join(_plane(p).tobytes() for p in (y, half(cb), half(cr)))


def write(path, frames, rate=FRAME_RATE):
    """Write RGB uint8 frames (all the same size) as a Y4M file."""
    frames = list(frames)
    height, width = frames[0].shape[:2]
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{rate}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            if rgb.shape[:2] != (height, width):
                raise ValueError(f"frame of {rgb.shape[1]}x{rgb.shape[0]} in a {width}x{height} file")
            out.write(b"FRAME\n")
            out.write(frame_bytes(rgb))
    return path


def read(path):
    """RGB uint8 frames of a Y4M file written by write() (chroma upsampled by repetition)."""
    data = open(path, "rb").read()
    header, _, body = data.partition(b"\n")
    fields = {f[:1]: f[1:] for f in header.split()[1:]}
    width, height = int(fields[b"W"]), int(fields[b"H"])
    luma, chroma = width * height, (width // 2) * (height // 2)
    frames = []
    marker = b"FRAME\n"
    while body.startswith(marker):
        body = body[len(marker):]
        y = np.frombuffer(body[:luma], np.uint8).reshape(height, width).astype(np.float64)
        cb = np.frombuffer(body[luma:luma + chroma], np.uint8).reshape(height // 2, width // 2)
        cr = np.frombuffer(body[luma + chroma:luma + 2 * chroma], np.uint8).reshape(height // 2, width // 2)
        up = lambda p: np.repeat(np.repeat(p.astype(np.float64), 2, axis=0), 2, axis=1)  # noqa: E731
        frames.append(ycbcr_to_rgb(y, up(cb), up(cr)))
        body = body[luma + 2 * chroma:]
    return frames


def paste(face, size=FRAME_SIZE, centre=None, grey=GREY):
    """A grey frame of `size` (width, height) with the RGB picture `face` pasted
    centred on `centre` (x, y; default the middle), clipped to the frame."""
    width, height = size
    frame = np.full((height, width, 3), grey, np.uint8)
    cx, cy = centre if centre is not None else (width // 2, height // 2)
    fh, fw = face.shape[:2]
    x0, y0 = cx - fw // 2, cy - fh // 2
    sx0, sy0 = max(0, -x0), max(0, -y0)
    x1, y1 = min(width, x0 + fw), min(height, y0 + fh)
    frame[max(0, y0):y1, max(0, x0):x1] = face[sy0:sy0 + y1 - max(0, y0), sx0:sx0 + x1 - max(0, x0)]
    return frame
