"""A thin web server (standard library only) embedding one shared async client.

    BOOKSTRACKER_OFFLINE=1 python examples/web_server.py 8080
    curl 'http://127.0.0.1:8080/author?name=Andy+Weir'

The sync ``BooksClient`` runs its own event loop thread, so a threaded server can share one
instance across request threads; each call is a thread-safe hand-off to that loop.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from bookstracker import BooksClient, BooksTrackerError, InvalidInput, NotFound

books = BooksClient()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            if url.path == "/author":
                body = books.author(query.get("name", "")).to_dict()
            elif url.path == "/search":
                body = books.search(query.get("q", "")).to_dict()
            elif url.path == "/isbn":
                body = books.isbns(query.get("isbn", "").split(",")).to_dict()
            elif url.path == "/stats":
                body = books.stats().to_dict()
            else:
                self._send(404, {"error": "try /author?name=, /search?q=, /isbn?isbn=, /stats"})
                return
        except InvalidInput as exc:
            self._send(400, {"error": str(exc)})
            return
        except NotFound as exc:
            self._send(404, {"error": str(exc)})
            return
        except BooksTrackerError as exc:
            self._send(503, {"error": str(exc)})
            return
        self._send(200, body)

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"serving on http://127.0.0.1:{port}", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        books.close()
