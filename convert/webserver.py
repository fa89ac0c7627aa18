"""A small static file server: the site for local use, and the pages the
parity check and the tests drive. Maps URL prefixes to directories."""
import argparse
import functools
import http.server
import posixpath
import sys
import threading
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from convert import cli

CONTENT_TYPES = {
    ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
    ".wasm": "application/wasm", ".bin": "application/octet-stream",
    ".html": "text/html", ".css": "text/css", ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json", ".md": "text/plain",
}


# What a host sends to make its pages cross-origin isolated (SharedArrayBuffer,
# so WASM threads). GitHub Pages cannot; site/sw.js adds the same headers.
ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
}


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}

    def __init__(self, *args, routes, headers, before=None, log=None, **kwargs):
        self.routes = routes
        self.extra_headers = headers
        self.before = before
        self.log = log
        super().__init__(*args, directory=str(routes.get("/", "/nonexistent")), **kwargs)

    def send_head(self):
        if self.before is not None:
            self.before(urllib.parse.urlsplit(self.path).path)
        return super().send_head()

    def translate_path(self, path):
        path = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        path = posixpath.normpath(path)
        for prefix in sorted(self.routes, key=len, reverse=True):
            base = prefix.rstrip("/") + "/"
            if prefix == "/" or path == prefix.rstrip("/") or path.startswith(base):
                rest = path[len(prefix.rstrip("/")):].lstrip("/")
                parts = [p for p in rest.split("/") if p not in ("", ".", "..")]
                return str(Path(self.routes[prefix], *parts))
        return "/nonexistent/__missing__"

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args):  # quiet: tests record requests in the browser
        pass

    def log_request(self, code="-", size="-"):
        """Called for every response, errors and unsupported methods too."""
        if self.log is not None:
            self.log(getattr(self, "command", None), getattr(self, "path", None), int(getattr(code, "value", code)))


@contextmanager
def serve(routes, port=0, host="127.0.0.1", isolated=False, headers=None, before=None, log=None):
    """Serve {url prefix: directory} in a thread; yields the base URL.
    isolated: send ISOLATION_HEADERS, as a host that can would (a page then
    starts isolated; the site's own service worker does it from its second load).
    headers: more headers on every response (a host's Content-Security-Policy, say).
    before: called with each request's path before it is answered, in the
    request's own thread (a test holds a file back by blocking there).
    log: called as log(method, path, status) for every request the server
    answers (browsers without request interception in their driver: tests/browsers.py)."""
    routes = {k: Path(v) for k, v in routes.items()}
    handler = functools.partial(_Handler, routes=routes, before=before, log=log,
                                headers={**(ISOLATION_HEADERS if isolated else {}), **(headers or {})})
    server = http.server.ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def build_parser():
    parser = argparse.ArgumentParser(description="Serve the site locally.")
    parser.add_argument("root", nargs="?", default=str(Path(__file__).parent.parent / "site"))
    parser.add_argument("--port", type=int, default=8000)
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv, tensorflow_logs=False)


def work(args):
    with serve({"/": args.root}, port=args.port) as url:
        print(f"Serving {args.root} at {url}/ (Ctrl+C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
