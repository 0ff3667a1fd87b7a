"""The option table (docs/options.json, generated from the library's soku::options::OPTIONS),
``proxy`` through a real forward proxy on loopback, and error messages in Python's names."""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import unittest
from typing import Any, Dict, List, Optional, Tuple

import soku

import support
from support import SandboxCase, fresh

PASSWORD = "py-proxy-pass-51b7"
support.SECRETS.add(PASSWORD)


def load_table() -> List[Dict[str, Any]]:
    with open(os.path.join(support.repo_root(), "docs", "options.json"), encoding="utf-8") as f:
        table: List[Dict[str, Any]] = json.load(f)
    return table


class ForwardProxy:
    """An HTTP forward proxy on loopback: CONNECT tunnels and absolute-form requests, only to
    loopback targets, counting what it forwarded and answering 407 to a request without the
    expected ``Proxy-Authorization``."""

    def __init__(self, auth: Optional[Tuple[str, str]] = None) -> None:
        self.expected = None
        if auth is not None:
            self.expected = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
        self.forwarded = 0
        self.refused = 0
        self.lines: List[str] = []
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, user: Optional[str] = None, password: Optional[str] = None) -> str:
        auth = "%s:%s@" % (user, password) if user is not None else ""
        return "http://%s127.0.0.1:%d" % (auth, self.port)

    def close(self) -> None:
        self._sock.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            with self._lock:
                self.lines.append(lines[0])
            if self.expected is not None and headers.get("proxy-authorization") != self.expected:
                with self._lock:
                    self.refused += 1
                conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n"
                             b"connection: close\r\n\r\n")
                return
            method, target, version = lines[0].split(" ", 2)
            if method == "CONNECT":
                host, _, port = target.rpartition(":")
                upstream = self._connect(host, int(port))
                with self._lock:
                    self.forwarded += 1
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
                self._pipe(conn, upstream)
                return
            # Absolute form: GET http://host:port/path HTTP/1.1, sent on with Connection: close.
            authority, _, path = target[len("http://"):].partition("/")
            host, _, port = authority.rpartition(":")
            upstream = self._connect(host, int(port or 80))
            with self._lock:
                self.forwarded += 1
            kept = [l for l in lines[1:] if not l.lower().startswith(("proxy-", "connection:"))]
            out = "\r\n".join(["%s /%s %s" % (method, path, version)] + kept + ["connection: close", "", ""])
            length = int(headers.get("content-length", "0"))
            while len(rest) < length:
                rest += conn.recv(65536)
            upstream.sendall(out.encode("latin-1") + rest)
            self._pipe(conn, upstream)

    @staticmethod
    def _connect(host: str, port: int) -> socket.socket:
        if host not in ("127.0.0.1", "localhost", "[::1]"):
            raise OSError("only loopback targets")
        return socket.create_connection(("127.0.0.1" if host == "localhost" else host.strip("[]"), port))

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        def copy(src: socket.socket, dst: socket.socket) -> None:
            try:
                while True:
                    chunk = src.recv(65536)
                    if not chunk:
                        break
                    dst.sendall(chunk)
            except OSError:
                pass
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        t = threading.Thread(target=copy, args=(b, a), daemon=True)
        t.start()
        copy(a, b)
        t.join()
        b.close()


class OptionTableTest(unittest.TestCase):
    def test_keyword_tables_match_the_library_table(self) -> None:
        from soku._client import _CONFIG_KEYS, _OPTION_KEYS

        table = load_table()
        client = {o["python"]: o["key"] for o in table if o["client"]}
        per_call = {o["python"]: o["key"] for o in table if o["perCall"]}
        self.assertEqual({k: v[0] for k, v in _CONFIG_KEYS.items()}, client)
        self.assertEqual({k: v[0] for k, v in _OPTION_KEYS.items()}, per_call)

    def test_docstring_defaults_match_the_library_table(self) -> None:
        doc = soku.Client.__doc__ or ""
        flat = " ".join(doc.split())
        checked = 0
        for o in load_table():
            default = o["default"]["python"]
            if not o["client"] or not default[:1].isdigit():
                continue
            at = flat.find(o["python"] + ":")
            self.assertGreaterEqual(at, 0, o["python"])
            sentence = flat[at:flat.find(".", flat.find("Default", at))]
            self.assertIn("Default %s" % default, sentence, o["python"])
            checked += 1
        self.assertGreaterEqual(checked, 5)


class ProxyTest(SandboxCase):
    def setUp(self) -> None:
        super().setUp()
        self.proxy = ForwardProxy(("user", PASSWORD))
        self.addCleanup(self.proxy.close)

    def test_calls_go_through_the_proxy(self) -> None:
        c = self.make(proxy=self.proxy.url("user", PASSWORD))
        self.assertNotIn(PASSWORD, repr(c))
        sub = c.create_post(fresh(support.TEXT_POST))
        self.assertTrue(sub.post_submission_id)
        self.assertEqual(self.proxy.forwarded, 1)
        self.assertEqual(self.proxy.refused, 0)
        self.assertEqual(len(self.sb.submissions()), 1)
        host = self.sb.url[len("http://"):]
        self.assertEqual(self.proxy.lines, ["CONNECT %s HTTP/1.1" % host])

    def test_wrong_credentials_never_reach_the_server_nor_the_message(self) -> None:
        c = self.make(proxy=self.proxy.url("user", PASSWORD + "-wrong"), max_retries=0)
        with self.assertRaises(soku.SokuError) as ctx:
            c.create_post(fresh(support.TEXT_POST))
        self.assertNotIn(PASSWORD, str(ctx.exception) + repr(ctx.exception))
        self.assertGreaterEqual(self.proxy.refused, 1)
        self.assertEqual(self.sb.submissions(), [])

    def test_proxy_from_env_only_when_asked(self) -> None:
        old = os.environ.get("HTTPS_PROXY")
        os.environ["HTTPS_PROXY"] = self.proxy.url("user", PASSWORD)
        try:
            self.make().create_post(fresh(support.TEXT_POST))  # ignored: direct
            self.assertEqual(self.proxy.forwarded + self.proxy.refused, 0)
            self.make(proxy_from_env=True).create_post(fresh(support.TEXT_POST))
            self.assertEqual(self.proxy.forwarded, 1)
        finally:
            if old is None:
                del os.environ["HTTPS_PROXY"]
            else:
                os.environ["HTTPS_PROXY"] = old
        self.assertEqual(len(self.sb.submissions()), 2)

    def test_the_test_proxy_forwards_absolute_form_requests(self) -> None:
        # The helper's plain-HTTP path (the library tunnels with CONNECT): urllib sends
        # `GET http://...` to an http proxy, with Proxy-Authorization from the URL.
        import urllib.request

        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({"http": self.proxy.url("user", PASSWORD)}))
        req = urllib.request.Request(self.sb.url + "/v1/api-keys",
                                     headers={"Authorization": "Bearer " + self.sb.firebase_token})
        with opener.open(req, timeout=10) as resp:
            self.assertEqual(resp.status, 200)
        self.assertEqual(self.proxy.forwarded, 1)
        seen = self.sb.requests()
        self.assertEqual([(r["method"], r["path"]) for r in seen], [("GET", "/v1/api-keys")])
        self.assertIsNone(support.header(seen[0], "proxy-authorization"))


class MessagesTest(SandboxCase):
    """Missing key, insecure URL, bad proxy: each message names Python's keywords only."""

    FOREIGN = ("apiKey", "allowInsecureHttp", "ClientBuilder", "--api-key-file", "\"proxy\"")

    def assertPython(self, err: soku.SokuError, message: str, param: str) -> None:
        self.assertEqual(err.message, message)
        self.assertEqual(err.param, param)
        for foreign in self.FOREIGN:
            self.assertNotIn(foreign, str(err))

    def test_missing_api_key(self) -> None:
        c = soku.Client(base_url=self.sb.url, from_env=False)
        self.addCleanup(c.close)
        with self.assertRaises(soku.ConfigError) as ctx:
            c.create_post(fresh(support.TEXT_POST))
        self.assertPython(ctx.exception, "an api key is required (set api_key= or SOKU_API_KEY)", "apiKey")
        self.assertEqual(self.sb.requests(), [])

    def test_insecure_url(self) -> None:
        with self.assertRaises(soku.ConfigError) as ctx:
            soku.Client(api_key=self.sb.api_key, base_url="http://api.example.com")
        self.assertPython(
            ctx.exception,
            "invalid base url: plain http:// is only allowed for loopback hosts "
            "(use https:// or allow_insecure_http=True)",
            "baseUrl",
        )

    def test_bad_proxy(self) -> None:
        with self.assertRaises(soku.ConfigError) as ctx:
            soku.Client(api_key=self.sb.api_key, proxy="socks5://u:%s@127.0.0.1:1080" % PASSWORD)
        self.assertPython(
            ctx.exception,
            "socks proxies are not supported: use an http:// or https:// proxy url (proxy=)",
            "proxy",
        )
        self.assertNotIn(PASSWORD, str(ctx.exception))
        with self.assertRaises(soku.ConfigError) as ctx:
            soku.Client(api_key=self.sb.api_key, proxy="::u:%s::" % PASSWORD)
        self.assertNotIn(PASSWORD, str(ctx.exception))
        self.assertEqual(ctx.exception.param, "proxy")

    def test_wrong_type_names_the_keyword(self) -> None:
        with self.assertRaises(soku.InvalidArgumentError) as ctx:
            soku.Client(api_key=self.sb.api_key, proxy_from_env="yes")  # type: ignore[arg-type]
        self.assertEqual(str(ctx.exception), "invalid argument error: proxy_from_env= must be a boolean")
        self.assertEqual(ctx.exception.param, "proxyFromEnv")


if __name__ == "__main__":
    unittest.main()
