"""The library's events in Python's logging (logger ``"soku"``), ``SOKU_LOG``, and the batch's
``on_progress`` callback: one ``attempt`` record per HTTP attempt, one ``retry_wait`` on a 429,
records from several threads sharing a client, a callback that stops the batch, and the
README's logging example run as written."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
import unittest
from typing import List, Optional

import soku

import support


def named(records: List[logging.LogRecord], name: str) -> List[logging.LogRecord]:
    return [r for r in records if getattr(r, "event", None) == name]


POST = {"post": {"content": {"text": "logged", "platform": ["x"]}}}


class LoggingTest(support.SandboxCase):
    def test_one_attempt_record_per_attempt_and_one_retry_wait_on_a_429(self) -> None:
        self.sb.inject("/v1/posts", status=429, code="rate_limit_exceeded", retryAfter=0)
        with self.assertLogs("soku", logging.DEBUG) as cm:
            sub = self.client.create_post(support.fresh(POST), idempotency_key="py-evt-1")
        attempts = named(cm.records, "attempt")
        self.assertEqual(len(attempts), len(self.sb.requests_to("/v1/posts")))
        self.assertEqual(len(attempts), 2)
        self.assertEqual([r.levelno for r in attempts], [logging.DEBUG, logging.DEBUG])
        first = getattr(attempts[0], "fields")
        self.assertEqual(first["method"], "POST")
        self.assertEqual(first["path"], "/v1/posts")
        self.assertEqual(first["status"], 429)
        self.assertEqual(first["attempt"], 1)
        self.assertEqual(first["idempotency_key"], "py-evt-1")
        self.assertEqual(getattr(attempts[1], "fields")["request_id"], sub.meta.request_id)
        waits = named(cm.records, "retry_wait")
        self.assertEqual(len(waits), 1)
        self.assertEqual(waits[0].levelno, logging.INFO)
        self.assertIsInstance(getattr(waits[0], "fields")["wait_ms"], int)
        self.assertRegex(waits[0].getMessage(), r"^POST /v1/posts attempt 1 failed \(status 429\), retrying in \d+ ms$")
        self.assertEqual(len(named(cm.records, "rate_limited")), 1)
        for r in cm.records:
            self.assertNotIn(self.sb.api_key, r.getMessage())
            self.assertNotIn(self.sb.api_key, repr(getattr(r, "fields")))

    def test_records_from_threads_sharing_a_client(self) -> None:
        errors: List[BaseException] = []

        def work() -> None:
            try:
                for _ in range(5):
                    self.client.create_post(support.fresh(POST))
            except BaseException as exc:  # reported below
                errors.append(exc)

        with self.assertLogs("soku", logging.DEBUG) as cm:
            threads = [threading.Thread(target=work) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        self.assertEqual(errors, [])
        attempts = named(cm.records, "attempt")
        self.assertEqual(len(attempts), 20)
        self.assertEqual(len(attempts), len(self.sb.requests_to("/v1/posts")))
        ids = {getattr(r, "fields")["request_id"] for r in attempts}
        self.assertEqual(len(ids), 20)

    def test_nothing_is_printed_unless_logging_is_configured(self) -> None:
        code = "import soku; c = soku.Client(); c.create_post(text='quiet', platforms=['x']); print('done')"
        env = dict(os.environ, SOKU_BASE_URL=self.sb.url, SOKU_API_KEY=self.sb.api_key)
        env.pop("SOKU_LOG", None)
        self.sb.inject("/v1/posts", status=503, code="internal_error", retryAfter=0)
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual((run.returncode, run.stdout, run.stderr), (0, "done\n", ""))

        self.sb.inject("/v1/posts", status=503, code="internal_error", retryAfter=0)
        env["SOKU_LOG"] = "info"
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        lines = run.stderr.splitlines()
        self.assertEqual(len(lines), 1, run.stderr)  # info: the wait, not the attempts
        self.assertRegex(lines[0], r"^soku: INFO POST /v1/posts attempt 1 failed \(status 503\), retrying in \d+ ms$")

        env["SOKU_LOG"] = "debug"
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertRegex(run.stderr, r"^soku: DEBUG POST /v1/posts attempt 1: status 200, request req_")
        self.assertNotIn(self.sb.api_key, run.stderr)

    def test_the_readme_logging_example_runs_as_written(self) -> None:
        with open(os.path.join(support.repo_root(), "bindings/python/README.md"), encoding="utf-8") as f:
            readme = f.read()
        section = readme.split("\n## Logging\n", 1)[1].split("\n## ", 1)[0]
        blocks = re.findall(r"```python\n(.*?)```", section, re.S)
        self.assertTrue(blocks)
        env = dict(os.environ, SOKU_BASE_URL=self.sb.url, SOKU_API_KEY=self.sb.api_key)
        env.pop("SOKU_LOG", None)
        for block in blocks:
            run = subprocess.run([sys.executable, "-c", block], env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertIn("attempt 1: status 200", run.stderr)
            self.assertIn("batch post 2/2: ok", run.stdout + run.stderr)
            self.assertNotIn(self.sb.api_key, run.stdout + run.stderr)


class ProgressTest(support.SandboxCase):
    def test_each_item_as_it_completes(self) -> None:
        seen: List[soku.BatchItem] = []
        report = self.client.publish_batch(support.batch_posts(), on_progress=seen.append)
        self.assertEqual([i.index for i in seen], [0, 1, 2])
        self.assertEqual([i.post_submission_id for i in seen], [i.post_submission_id for i in report.items])
        self.assertTrue(all(i.ok for i in seen))
        self.assertFalse(report.cancelled)

    def test_returning_false_stops_the_batch_with_the_partial_report(self) -> None:
        seen: List[int] = []

        def stop_after_first(item: soku.BatchItem) -> Optional[bool]:
            seen.append(item.index)
            return False

        report = self.client.publish_batch(support.batch_posts(), on_progress=stop_after_first)
        self.assertEqual(seen, [0])
        self.assertTrue(report.cancelled)
        self.assertEqual(len(report.items), 1)
        self.assertEqual(report.summary.total, 3)
        self.assertEqual(len(self.sb.submissions()), 1)

    def test_raising_stops_the_batch_and_carries_the_partial_report(self) -> None:
        class Boom(Exception):
            pass

        def boom(item: soku.BatchItem) -> None:
            if item.index == 1:
                raise Boom("no more")

        with self.assertRaises(soku.ProgressCallbackError) as cm:
            self.client.publish_batch(support.batch_posts(), on_progress=boom)
        self.assertIsInstance(cm.exception.__cause__, Boom)
        self.assertEqual(len(cm.exception.report.items), 2)
        self.assertTrue(cm.exception.report.cancelled)
        self.assertEqual(len(self.sb.submissions()), 2)

    def test_batches_with_progress_on_threads_sharing_a_client(self) -> None:
        counts: List[int] = []
        guard = threading.Lock()

        def work() -> None:
            mine: List[int] = []
            self.client.publish_batch(support.batch_posts(), on_progress=lambda i: mine.append(i.index))
            with guard:
                counts.append(len(mine))

        threads = [threading.Thread(target=work) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(counts, [3, 3, 3])


if __name__ == "__main__":
    unittest.main()
