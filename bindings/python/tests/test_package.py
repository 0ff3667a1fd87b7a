"""The package itself: version, lazy loading, library discovery, header coverage, error mapping."""

from __future__ import annotations

import ctypes
import ctypes.util
import inspect
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from typing import Dict, List, Tuple
from unittest import mock

import soku
from soku import _lib

import support


def cargo_version() -> str:
    """The soku crate's version from the root Cargo.toml (package or workspace.package)."""
    path = os.path.join(support.repo_root(), "Cargo.toml")
    with open(path, "rb") as f:
        raw = f.read()
    try:
        import tomllib
    except ImportError:  # Python < 3.11: the two places the version can be
        text = raw.decode("utf-8")
        m = re.search(r'^\[package\][^\[]*?^version\s*=\s*"([^"]+)"', text, re.M | re.S) or re.search(
            r'^\[workspace\.package\][^\[]*?^version\s*=\s*"([^"]+)"', text, re.M | re.S
        )
        assert m, "no version in Cargo.toml"
        return m.group(1)
    data = tomllib.loads(raw.decode("utf-8"))
    version = data["package"]["version"]
    if isinstance(version, dict) and version.get("workspace"):
        version = data["workspace"]["package"]["version"]
    return str(version)


def run_python(code: str, env: Dict[str, str], cwd: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def copy_package(dest: str) -> str:
    """Copy the imported soku package to ``dest`` (far from any target/ dir); returns its folder."""
    src = os.path.dirname(soku.__file__)
    pkg = os.path.join(dest, "soku")
    shutil.copytree(src, pkg, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.dylib", "*.dll"))
    return pkg


def header_functions() -> Dict[str, Tuple[str, List[str]]]:
    """name -> (return type, [parameter declarations]) of every function declared in include/soku.h."""
    path = os.path.join(support.repo_root(), "include", "soku.h")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"^\s*#[^\n]*", " ", text, flags=re.M)
    found = {}
    for m in re.finditer(r"([A-Za-z_][\w\s\*]*?)\b(soku_\w+)\s*\(([^()]*)\)\s*;", text):
        ret = " ".join(m.group(1).split())
        params = [" ".join(p.split()) for p in m.group(3).split(",")]
        if params == ["void"] or params == [""]:
            params = []
        found[m.group(2)] = (ret, params)
    return found


def ctype_of(decl: str) -> object:
    """The ctypes type our declarations must use for a C parameter or return declaration.

    ``const char *`` (a borrowed string) is ``c_char_p``; an owned ``char *`` and any other pointer
    are ``c_void_p`` (never converted to bytes, so they can be handed back to be freed);
    ``char **`` out-parameters (strings handed over) are ``POINTER(c_char_p)``: the ``c_char_p``
    object keeps the pointer for freeing while ``.value`` copies the bytes; other ``T **``
    out-parameters are ``POINTER(c_void_p)``.
    """
    stars = decl.count("*")
    words = decl.replace("*", " ").split()
    base = [w for w in words if w not in ("const", "struct")]
    base_type = base[0] if base else ""
    if stars == 2:
        return ctypes.POINTER(ctypes.c_char_p if base_type == "char" else ctypes.c_void_p)
    if stars == 1:
        if base_type == "char" and "const" in words:
            return ctypes.c_char_p
        return ctypes.c_void_p
    return {"int32_t": ctypes.c_int32, "void": None}[base_type]


class VersionTest(unittest.TestCase):
    def test_version_equals_the_crate_version(self) -> None:
        self.assertEqual(soku.__version__, cargo_version())

    def test_import_and_version_need_no_library(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            copy_package(tmp)
            env = dict(os.environ, PYTHONPATH=tmp, SOKU_LIB=os.path.join(tmp, "missing.so"))
            proc = run_python("import soku; print(soku.__version__)", env, tmp)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stdout.strip(), cargo_version())


# Prints the LibraryNotFoundError's message; fails if a library was loaded.
PRINT_NOT_FOUND = """
import soku
try:
    soku.Client()
except soku.LibraryNotFoundError as e:
    print(e)
else:
    raise SystemExit("loaded a library")
"""


class DiscoveryTest(unittest.TestCase):
    """Which file gets loaded, and the error when none is found (each in a fresh interpreter)."""

    def env_without_lib(self, tmp: str, target_dir: str) -> Dict[str, str]:
        env = dict(os.environ, PYTHONPATH=tmp, CARGO_TARGET_DIR=target_dir)
        env.pop("SOKU_LIB", None)
        return env

    def test_not_found_names_every_path_tried(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            pkg = copy_package(tmp)
            target = os.path.join(tmp, "cargo-target")
            proc = run_python(PRINT_NOT_FOUND, self.env_without_lib(tmp, target), tmp)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            msg = proc.stdout
            name = _lib.library_filename()
            self.assertIn("SOKU_LIB", msg)
            self.assertIn(os.path.join(pkg, name), msg)
            self.assertIn(os.path.join(target, "debug", name), msg)
            self.assertIn(os.path.join(target, "release", name), msg)
            self.assertIn(os.path.join(tmp, "target", "debug", name), msg)

    def test_soku_lib_that_does_not_exist_is_an_error(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            copy_package(tmp)
            env = dict(os.environ, PYTHONPATH=tmp, SOKU_LIB=os.path.join(tmp, "nope", "libsoku.so"))
            proc = run_python(PRINT_NOT_FOUND, env, tmp)
            self.assertIn("SOKU_LIB=" + os.path.join(tmp, "nope", "libsoku.so"), proc.stdout, proc.stderr)

    def test_cargo_target_dir_is_searched(self) -> None:
        real = soku.library_path()  # the library this test run uses (SOKU_LIB or discovery)
        with tempfile.TemporaryDirectory() as tmp:
            copy_package(tmp)
            target = os.path.join(tmp, "cargo-target")
            os.makedirs(os.path.join(target, "debug"))
            linked = os.path.join(target, "debug", _lib.library_filename())
            os.symlink(real, linked)
            code = "import soku; print(soku.library_path()); print(soku.library_version())"
            proc = run_python(code, self.env_without_lib(tmp, target), tmp)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            path, version = proc.stdout.split()
            self.assertEqual(path, linked)
            self.assertEqual(version, soku.__version__)

    @unittest.skipIf(os.environ.get("SOKU_LIB"), "SOKU_LIB overrides the bundled library")
    def test_installed_wheel_loads_the_library_it_carries(self) -> None:
        own = os.path.join(os.path.dirname(os.path.abspath(soku.__file__)), _lib.library_filename())
        self.assertTrue(os.path.isfile(own), "the installed package carries no %s" % own)
        self.assertEqual(soku.library_path(), own)
        self.assertEqual(soku.library_version(), soku.__version__)

    def test_package_folder_comes_before_cargo_target_dir(self) -> None:
        real = soku.library_path()
        with tempfile.TemporaryDirectory() as tmp:
            pkg = copy_package(tmp)
            own = os.path.join(pkg, _lib.library_filename())
            os.symlink(real, own)
            target = os.path.join(tmp, "cargo-target")
            os.makedirs(os.path.join(target, "debug"))
            os.symlink(real, os.path.join(target, "debug", _lib.library_filename()))
            proc = run_python("import soku; print(soku.library_path())", self.env_without_lib(tmp, target), tmp)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stdout.strip(), own)


class HeaderCoverageTest(unittest.TestCase):
    """Every function of include/soku.h is declared (with matching types) and exported."""

    def test_every_header_function_is_declared_with_matching_types(self) -> None:
        functions = header_functions()
        self.assertIn("soku_client_new", functions)  # the parser found the declarations
        self.assertEqual(sorted(functions), sorted(_lib.SIGNATURES))
        for name, (ret, params) in functions.items():
            restype, argtypes = _lib.SIGNATURES[name]
            with self.subTest(function=name):
                self.assertEqual(ctype_of(ret), restype, ret)
                self.assertEqual([ctype_of(p) for p in params], list(argtypes), params)

    def test_status_numbers_match_the_header(self) -> None:
        path = os.path.join(support.repo_root(), "include", "soku.h")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for name in ("OK", "ERR_INVALID_ARGUMENT", "ERR_CONFIG", "ERR_API", "ERR_TRANSPORT", "ERR_TIMEOUT",
                     "ERR_DECODE", "ERR_PANIC"):
            m = re.search(r"\bSOKU_%s\b\s*=?\s*\(?\s*(-?\d+)" % name, text)
            self.assertIsNotNone(m, name)
            assert m is not None
            self.assertEqual(int(m.group(1)), getattr(_lib, name), name)

    def test_the_library_exports_every_function(self) -> None:
        lib = _lib.load()
        self.assertEqual(lib.missing, [])
        self.assertEqual(lib.version(), soku.__version__)
        self.assertEqual(soku.library_version(), soku.__version__)
        self.assertEqual(lib.status_str(0), "ok")
        self.assertEqual(lib.status_str(_lib.ERR_TIMEOUT), "timeout")
        self.assertEqual(lib.status_str(12345), "unknown")


class LibraryErrorTest(unittest.TestCase):
    def test_a_library_that_is_not_soku(self) -> None:
        libc = ctypes.util.find_library("c")
        self.assertIsNotNone(libc)
        with self.assertRaises(soku.LibraryError) as ctx:
            _lib.Library(str(libc))
        self.assertIn("does not export soku_client_new", str(ctx.exception))

    def test_a_file_that_is_no_library(self) -> None:
        with tempfile.NamedTemporaryFile(suffix=".so") as f:
            f.write(b"not an ELF file")
            f.flush()
            with self.assertRaises(soku.LibraryError) as ctx:
                _lib.Library(f.name)
        self.assertIn(f.name, str(ctx.exception))

    def test_a_function_the_library_lacks(self) -> None:
        lib = _lib.load()
        with self.assertRaises(soku.LibraryError) as ctx:
            lib.function("soku_not_there")
        self.assertIn("%s does not export soku_not_there" % lib.path, str(ctx.exception))


class ErrorMappingTest(unittest.TestCase):
    """error_from_json picks the class by kind and HTTP status and keeps every field."""

    def test_api_statuses_map_to_subclasses(self) -> None:
        cases = {
            400: soku.BadRequestError,
            401: soku.AuthenticationError,
            403: soku.PermissionDeniedError,
            404: soku.NotFoundError,
            409: soku.ConflictError,
            429: soku.RateLimitError,
            500: soku.ServerError,
            503: soku.ServerError,
            402: soku.ApiError,
        }
        for status, cls in cases.items():
            err = soku.error_from_json({"kind": "api", "status": status, "code": "c", "message": "m"})
            self.assertIs(type(err), cls, status)
            self.assertIsInstance(err, soku.ApiError)
            self.assertEqual(err.status, status)

    def test_bad_request_error_keeps_its_old_name(self) -> None:
        self.assertIs(soku.ValidationError, soku.BadRequestError)
        err = soku.error_from_json({"kind": "api", "status": 400, "code": "validation_error", "message": "m"})
        self.assertIsInstance(err, soku.ValidationError)
        self.assertIn("BadRequestError", soku.__all__)

    def test_kinds_map_to_classes(self) -> None:
        cases = {
            "transport": soku.TransportError,
            "timeout": soku.SokuTimeoutError,
            "decode": soku.DecodeError,
            "invalid_argument": soku.InvalidArgumentError,
            "config": soku.ConfigError,
            "panic": soku.PanicError,
        }
        for kind, cls in cases.items():
            err = soku.error_from_json({"kind": kind, "message": "boom"})
            self.assertIs(type(err), cls, kind)
            self.assertEqual(err.kind, kind)
        # as in the library, a timeout is its own kind, not a transport error; it is a TimeoutError
        self.assertNotIsInstance(soku.SokuTimeoutError("t"), soku.TransportError)
        self.assertIsInstance(soku.SokuTimeoutError("t"), TimeoutError)
        self.assertIsInstance(soku.InvalidArgumentError("x"), ValueError)
        unknown = soku.error_from_json({"kind": "brand_new", "message": "?"})
        self.assertIs(type(unknown), soku.SokuError)
        self.assertEqual(unknown.kind, "brand_new")

    def test_fields_and_str(self) -> None:
        meta = soku.Meta.from_json(
            {"status": 429, "requestId": "req_9", "attempts": 4, "idempotencyKey": "k",
             "rateLimit": {"limit": 30, "remaining": 0, "reset": 1700000000, "tier": "pro"}}
        )
        err = soku.error_from_json(
            {"kind": "api", "status": 429, "code": "rate_limit_exceeded", "message": "slow down",
             "requestId": None, "details": {"limit": 30}, "retryAfter": 2},
            meta,
        )
        assert isinstance(err, soku.RateLimitError)
        self.assertEqual(err.request_id, "req_9")  # falls back to the meta's request id
        self.assertEqual(err.retry_after, 2.0)
        self.assertEqual(err.details, {"limit": 30})
        self.assertIs(err.meta, meta)
        self.assertEqual(str(err), "api error 429 rate_limit_exceeded: slow down (request req_9)")
        self.assertEqual(
            str(soku.ApiError(400, "validation_error", "text is required", "req_123")),
            "api error 400 validation_error: text is required (request req_123)",
        )
        self.assertEqual(str(soku.TransportError("connection refused")), "transport error: connection refused")

    def test_exception_names_do_not_shadow_builtins(self) -> None:
        import builtins

        for name in soku.__all__:
            self.assertFalse(hasattr(builtins, name), name)


class RequestBuildingTest(unittest.TestCase):
    """The keyword forms build the documented bodies; options become the options JSON."""

    def setUp(self) -> None:
        self.calls: List[Tuple[str, str, object, object]] = []

        def fake_call(
            client: soku.Client, function: str, method: str, request: object, options: object, build: object
        ) -> object:
            self.calls.append((function, method, request, options))
            return {}

        patcher = mock.patch.object(soku.Client, "_call", fake_call)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.client = soku.Client.__new__(soku.Client)  # no native handle: _call is replaced

    def body(self) -> object:
        return self.calls[-1][2]

    def test_every_operation_has_a_client_method(self) -> None:
        cases: Dict[str, Tuple[str, object]] = {
            "soku_posts_create": ("create_post", {"post": {}}),
            "soku_media_upload": ("upload_media", "https://example.com/a.mp4"),
            "soku_templates_render": ("render_template", "tweetImage"),
            "soku_templates_render_og": ("render_og", "blogPost"),
            "soku_ai_transcribe": ("transcribe", "media_1"),
            "soku_api_keys_create": ("create_api_key", "ci"),
            "soku_api_keys_list": ("list_api_keys", None),
            "soku_api_keys_revoke": ("revoke_api_key", "key_1"),
            "soku_api_keys_rotate": ("rotate_api_key", "key_1"),
            "soku_posts_publish_batch": ("publish_batch", [{"post": {}}]),
            "soku_posts_publish_with_media": ("publish_with_media", {"sourceUrls": []}),
            "soku_posts_publish_with_template": ("publish_with_template", {"template": {}}),
        }
        self.assertEqual(set(cases), set(_lib.OPERATIONS))
        for function, (method, arg) in cases.items():
            args = () if arg is None else (arg,)
            getattr(self.client, method)(*args, idempotency_key="k")
            self.assertEqual(self.calls[-1][:2], (function, method))
            self.assertEqual(self.calls[-1][3], {"idempotency_key": "k"})
        self.assertEqual(len(self.calls), len(cases))
        self.assertEqual(self.calls[1][2], {"url": "https://example.com/a.mp4"})
        self.assertEqual(self.calls[9][2], {"posts": [{"post": {}}]})


    def test_create_post_keywords(self) -> None:
        self.client.create_post(text="Hi", platforms="x")
        self.assertEqual(self.body(), {"post": {"content": {"text": "Hi", "mediaType": "text", "platform": ["x"]}}})
        self.client.create_post(text="v", video_url="https://h/v.mp4", platforms=["tiktok"], scheduled_time="T")
        self.assertEqual(
            self.body(),
            {"post": {"content": {"text": "v", "mediaType": "video", "videoUrl": "https://h/v.mp4",
                                  "platform": ["tiktok"]}}, "scheduledTime": "T"},
        )
        self.client.create_post(image_urls=("https://h/a.jpg",), platforms=[{"platform": "instagram",
                                                                           "accountId": "ig_main"}])
        self.assertEqual(
            self.body(),
            {"post": {"content": {"mediaType": "image", "imageUrls": ["https://h/a.jpg"],
                                  "platform": [{"platform": "instagram", "accountId": "ig_main"}]}}},
        )

    def test_dict_and_keywords_conflict(self) -> None:
        with self.assertRaises(soku.InvalidArgumentError):
            self.client.create_post({"post": {}}, scheduled_time="T")
        with self.assertRaises(soku.InvalidArgumentError):
            self.client.render_template({"templateSlug": "t"}, aspect_ratio="1:1")
        with self.assertRaises(soku.InvalidArgumentError):
            self.client.transcribe(["m"])  # type: ignore[arg-type]
        self.assertEqual(self.calls, [])

    def test_string_forms(self) -> None:
        self.client.transcribe("m", duration_seconds=600)
        self.assertEqual(self.body(), {"mediaId": "m", "durationSeconds": 600})
        self.client.rotate_api_key("key_1", verify="none")
        self.assertEqual(self.body(), {"oldKeyId": "key_1", "verify": "none"})
        self.client.create_api_key()
        self.assertEqual(self.body(), {})
        self.client.revoke_api_key({"id": "key_2"})
        self.assertEqual(self.body(), {"id": "key_2"})
        post = {"content": {"text": "t", "platform": ["x"]}}
        self.client.publish_with_media(source_urls=iter(["https://a"]), post=post)
        self.assertEqual(self.body(), {"sourceUrls": ["https://a"], "post": post})

    def test_options_json(self) -> None:
        from soku._client import _options_json

        self.assertIsNone(_options_json("m", {}))
        self.assertIsNone(_options_json("m", {"timeout": None}))
        raw = _options_json("m", {"idempotency_key": "k", "firebase_token": "t", "timeout": 1.5, "max_retries": 0})
        assert raw is not None
        self.assertEqual(
            json.loads(raw), {"idempotencyKey": "k", "firebaseToken": "t", "timeoutMs": 1500, "maxRetries": 0}
        )
        with self.assertRaises(TypeError):
            _options_json("m", {"idempotencyKey": "k"})
        # values are the library's to check: only the unit is converted here
        for value in (-1, 1.5, True, "3"):
            raw = _options_json("m", {"max_retries": value})
            assert raw is not None
            self.assertEqual(json.loads(raw), {"maxRetries": value})
        for seconds, sent in ((-1, -1000), ("3", "3"), (True, True), (0.0004, 0)):
            raw = _options_json("m", {"timeout": seconds})
            assert raw is not None
            self.assertEqual(json.loads(raw), {"timeoutMs": sent})


class ConfigValidationTest(unittest.TestCase):
    """Bad option values are rejected by the library (which names the key), before any request."""

    def test_bad_option_values(self) -> None:
        for kwargs in ({"timeout": -1}, {"timeout": "3"}, {"timeout": float("nan")}, {"max_retries": -1},
                       {"max_retries": 1.5}, {"backoff_base": True}, {"connect_timeout": float("inf")}):
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(soku.InvalidArgumentError) as ctx:
                    soku.Client(**kwargs)  # type: ignore[arg-type]
                if not isinstance(next(iter(kwargs.values())), float):  # NaN/inf are not JSON at all
                    # The message names the keyword; param holds the library's key.
                    keyword = next(iter(kwargs))
                    key = {"timeout": "timeoutMs", "max_retries": "maxRetries", "backoff_base": "backoffBaseMs"}
                    self.assertIn(keyword + "=", str(ctx.exception))
                    self.assertNotIn(key[keyword], str(ctx.exception))
                    self.assertEqual(ctx.exception.param, key[keyword])

    def test_tls_keywords_reach_the_library(self) -> None:
        missing = os.path.join(tempfile.gettempdir(), "soku-no-such-dir", "ca.pem")
        with self.assertRaises(soku.ConfigError) as ctx:
            soku.Client(api_key="sk_live_x", ca_file=missing)
        self.assertIn(missing, str(ctx.exception))
        with self.assertRaises(soku.ConfigError):
            soku.Client(api_key="sk_live_x", ca_pem="not a certificate")
        with self.assertRaises(soku.InvalidArgumentError) as ctx:
            soku.Client(api_key="sk_live_x", tls_trust="bogus")  # type: ignore[arg-type]
        self.assertIn("tls_trust=", str(ctx.exception))
        self.assertEqual(ctx.exception.param, "tlsTrust")
        with self.assertRaises(soku.ConfigError):
            soku.Client(api_key="sk_live_x", ca_pem=_TEST_CA_PEM, tls_trust="os")
        # A real CA certificate is accepted as text, as bytes and from a path-like file name.
        with tempfile.TemporaryDirectory() as tmp:
            path = pathlib.Path(tmp) / "ca.pem"
            path.write_text(_TEST_CA_PEM)
            for kwargs in ({"ca_pem": _TEST_CA_PEM}, {"ca_pem": _TEST_CA_PEM.encode()}, {"ca_file": path},
                           {"tls_trust": "webpki"}):
                with self.subTest(kwargs=list(kwargs)):
                    soku.Client(api_key="sk_live_x", **kwargs).close()  # type: ignore[arg-type]

    def test_every_client_keyword_is_one_line_of_the_config_table(self) -> None:
        from soku._client import _CONFIG_KEYS

        params = [p for p in inspect.signature(soku.Client.__init__).parameters if p != "self"]
        self.assertEqual(list(_CONFIG_KEYS), params)

    def test_config_keywords_reach_the_library_under_its_keys(self) -> None:
        """Every keyword at once: the library refuses an unknown key, so a wrong JSON key in the
        table fails here; the JSON sent holds the converted values under the library's names."""
        from soku._client import _CONFIG_KEYS, _to_json_keys

        with tempfile.TemporaryDirectory() as tmp:
            path = pathlib.Path(tmp) / "ca.pem"
            path.write_text(_TEST_CA_PEM)
            kwargs = dict(api_key="sk_live_x", base_url="http://127.0.0.1:9", firebase_token="fb", timeout=1.5,
                          connect_timeout=2, max_retries=0, max_retry_wait=0.25, backoff_base=0.001,
                          user_agent="ua/1", allow_insecure_http=False, validate_scheduled_time=False,
                          proxy="http://127.0.0.1:9", proxy_from_env=False, ca_file=path, ca_pem=_TEST_CA_PEM.encode(), tls_trust="webpki", from_env=False)
            self.assertEqual(set(kwargs), set(_CONFIG_KEYS))
            sent = _to_json_keys(_CONFIG_KEYS, kwargs)
            self.assertEqual(sent, {
                "apiKey": "sk_live_x", "baseUrl": "http://127.0.0.1:9", "firebaseToken": "fb", "timeoutMs": 1500,
                "connectTimeoutMs": 2000, "maxRetries": 0, "maxRetryWaitMs": 250, "backoffBaseMs": 1,
                "userAgent": "ua/1", "allowInsecureHttp": False, "validateScheduledTime": False,
                "proxy": "http://127.0.0.1:9", "proxyFromEnv": False, "caFile": str(path), "caPem": _TEST_CA_PEM, "tlsTrust": "webpki", "fromEnv": False,
            })
            with soku.Client(**{k: v for k, v in kwargs.items() if k != "ca_pem"}) as c:  # type: ignore[arg-type]
                self.assertFalse(c.closed)
            with soku.Client(**{k: v for k, v in kwargs.items() if k != "ca_file"}) as c:  # type: ignore[arg-type]
                self.assertFalse(c.closed)
        # A value of the wrong type is refused by the library, which names the key.
        for keyword, value in (("ca_file", 5), ("ca_pem", ["pem"]), ("user_agent", 1)):
            with self.subTest(keyword=keyword):
                with self.assertRaises(soku.InvalidArgumentError) as ctx:
                    soku.Client(api_key="sk_live_x", **{keyword: value})  # type: ignore[arg-type]
                self.assertIn(keyword + "=", str(ctx.exception))
                self.assertEqual(ctx.exception.param, _CONFIG_KEYS[keyword][0])

    def test_unknown_config_keyword(self) -> None:
        with self.assertRaises(TypeError):
            soku.Client(retries=3)  # type: ignore[call-arg]


#: A self-signed CA certificate (public data, no key) for the TLS keyword tests.
_TEST_CA_PEM = """\
-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIUShXulbKbnuQThWIiJjETjbVluY8wCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTc29rdSBweXRob24gdGVzdCBjYTAgFw0yNjEyMDUxNDE2MzVa
GA8yMTI2MTExMTE0MTYzNVowHjEcMBoGA1UEAwwTc29rdSBweXRob24gdGVzdCBj
YTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNzr1rWGg9aKyXOpo8DKqyWpHxGv
oBeWNED8nxTCR9mrrEmIYcGx63ARMbNBPyqbC9i8sIVN7b3G3ANxuMYUndijUzBR
MB0GA1UdDgQWBBQ1+ks+Ap3xnrV0uuL/ga2s0zCZtTAfBgNVHSMEGDAWgBQ1+ks+
Ap3xnrV0uuL/ga2s0zCZtTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA
MEUCIQDkcFJuYudxhqgFf7wwXIZxKx7bCCeZUk5XoWLzVbTNkAIgH8zLsOqmNSJi
PUqliyb8dsp3ehsDMFGhj3goY4FyUH4=
-----END CERTIFICATE-----
"""


if __name__ == "__main__":
    unittest.main()
