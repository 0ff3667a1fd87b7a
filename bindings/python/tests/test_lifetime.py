"""One client shared by many threads; close(), the context manager, garbage collection, interpreter exit."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
import threading
import time
import unittest
from typing import Any, Dict, List

import soku

import support
from support import SandboxCase, fresh, header


class ThreadsTest(SandboxCase):
    sandbox_args = ("--no-rate-limits",)

    def test_threads_share_one_client(self) -> None:
        threads, per_thread = 8, 4
        seen: Dict[int, List[Any]] = {}
        errors: List[BaseException] = []

        def work(n: int) -> None:
            mine = []
            try:
                for i in range(per_thread):
                    body = fresh(support.TEXT_POST)
                    body["post"]["content"]["text"] = "thread %d post %d" % (n, i)
                    data = self.client.create_post(body)
                    meta = self.client.last_meta
                    assert meta is not None
                    self.assertIs(data.meta, meta)  # the result carries this thread's meta
                    mine.append((data.post_submission_id, meta.idempotency_key, body))
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            seen[n] = mine

        pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(60)
        self.assertEqual(errors, [])
        results = [r for n in range(threads) for r in seen[n]]
        self.assertEqual(len(results), threads * per_thread)
        self.assertEqual(len({r[0] for r in results}), len(results))  # distinct submissions
        self.assertEqual(len({r[1] for r in results}), len(results))  # each thread saw its own meta
        by_key = {header(r, "idempotency-key"): r for r in self.sb.requests_to("/v1/posts")}
        for _, key, body in results:
            self.assertIn(key, by_key)
        submitted = sorted(s["post"]["content"]["text"] for s in self.sb.submissions())
        self.assertEqual(submitted, sorted(r[2]["post"]["content"]["text"] for r in results))

    def test_last_meta_is_per_thread(self) -> None:
        self.client.create_post(fresh(support.TEXT_POST))
        box: Dict[str, Any] = {}

        def other() -> None:
            try:
                self.client.upload_media("https://cdn.example.invalid/a.mp4")
            except soku.ValidationError as exc:
                box["err"] = exc
            box["meta"] = self.client.last_meta

        t = threading.Thread(target=other)
        t.start()
        t.join(30)
        self.assertEqual(box["meta"].status, 400)
        self.assertIs(box["err"].meta, box["meta"])
        assert self.client.last_meta is not None
        self.assertTrue(200 <= self.client.last_meta.status < 300)

    def test_close_waits_for_calls_in_flight(self) -> None:
        c = self.make()
        self.sb.inject("/v1/posts", delayMs=400)
        box: Dict[str, Any] = {}

        def call() -> None:
            try:
                box["data"] = c.create_post(fresh(support.TEXT_POST))
            except BaseException as exc:
                box["error"] = exc
            box["done"] = True

        t = threading.Thread(target=call)
        t.start()
        deadline = time.monotonic() + 10
        while c._handle._busy == 0 and "done" not in box and time.monotonic() < deadline:
            time.sleep(0.005)
        self.assertEqual(c._handle._busy, 1, "the call did not start")
        c.close()  # must wait for the call, not free the handle under it
        # The fault delays the request before the sandbox processes it: had close() not waited
        # for the native call to return, the post would not be accepted yet.
        self.assertEqual(len(self.sb.submissions()), 1, "close() returned while a call was running")
        t.join(10)
        self.assertNotIn("error", box)
        self.assertTrue(box["data"].post_submission_id)
        with self.assertRaises(soku.ClientClosedError):
            c.create_post(fresh(support.TEXT_POST))


class CloseTest(SandboxCase):
    def test_double_close_and_context_manager(self) -> None:
        with soku.Client(api_key=self.sb.api_key, base_url=self.sb.url) as c:
            self.assertFalse(c.closed)
            c.create_post(fresh(support.TEXT_POST))
        self.assertTrue(c.closed)
        c.close()
        c.close()
        self.assertEqual(repr(c), "<soku.Client closed>")
        with self.assertRaises(soku.ClientClosedError):
            c.list_api_keys()
        with self.assertRaises(soku.ClientClosedError):
            c.create_post(fresh(support.TEXT_POST))
        self.assertEqual(len(self.sb.submissions()), 1)

    def test_garbage_collection_frees_the_handle(self) -> None:
        c = soku.Client(api_key=self.sb.api_key, base_url=self.sb.url)
        c.create_post(fresh(support.TEXT_POST))
        finalizer = c._finalizer
        self.assertTrue(finalizer.alive)
        del c
        gc.collect()
        self.assertFalse(finalizer.alive)

    def test_interpreter_exit_with_open_clients_and_a_call_in_flight(self) -> None:
        script = textwrap.dedent(
            """
            import os, threading, time, soku
            url, key = os.environ["SB_URL"], os.environ["SB_KEY"]
            body = {"post": {"content": {"text": "bye", "mediaType": "text", "platform": ["x"]}}}
            kept = soku.Client(api_key=key, base_url=url)
            kept.create_post(body)
            busy = soku.Client(api_key=key, base_url=url)
            threading.Thread(target=busy.upload_media, args=("https://example.com/v.mp4",), daemon=True).start()
            while busy._handle._busy == 0:
                time.sleep(0.005)
            closed = soku.Client(api_key=key, base_url=url)
            closed.close()
            print("exiting")
            """
        )
        self.sb.inject("/v1/media", delayMs=3000)  # the daemon thread's call outlives the interpreter
        env = dict(os.environ, SB_URL=self.sb.url, SB_KEY=self.sb.api_key)
        pkg_parent = os.path.dirname(os.path.dirname(soku.__file__))
        env["PYTHONPATH"] = pkg_parent + os.pathsep + env.get("PYTHONPATH", "")
        env.setdefault("SOKU_LIB", soku.library_path())
        proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.strip(), "exiting")
        self.assertNotIn("Exception", proc.stderr)


if __name__ == "__main__":
    unittest.main()
