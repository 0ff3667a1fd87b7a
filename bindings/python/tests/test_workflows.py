"""The multi-step workflows of the vendor's code-examples page: batch publishing, upload-then-publish, render-then-publish, key rotation."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
from typing import Any, Callable, Dict, List
from unittest import mock

import soku

import support
from support import Sandbox, SandboxCase, fresh, header


def numbered_posts(n: int) -> List[Dict[str, Any]]:
    """``n`` distinct text posts to X."""
    return [{"post": {"content": {"text": "interrupted %d" % i, "mediaType": "text", "platform": ["x"]}}} for i in range(n)]


class BatchInterruptTest(SandboxCase):
    """Ctrl-C (a real SIGINT) at several points of a batch: ``BatchInterrupted`` carries the partial
    report, what it reports matches what the sandbox saw, and the documented resume (same posts,
    same ``idempotency_key``) publishes each post exactly once."""

    # Two posts per 3 s window: the third post of a batch waits for the window.
    sandbox_args = ("--window-ms", "3000", "--limit", "posts=2")

    def interrupt_when(self, ready: Callable[[], bool]) -> threading.Thread:
        """Sends this process SIGINT (as Ctrl-C does) once ``ready()`` holds; Python's handler
        raises ``KeyboardInterrupt`` in the main thread, inside ``publish_batch``."""

        def run() -> None:
            deadline = time.monotonic() + 20
            while not ready() and time.monotonic() < deadline:
                time.sleep(0.01)
            os.kill(os.getpid(), signal.SIGINT)

        t = threading.Thread(target=run)
        t.start()
        return t

    def posts_seen(self) -> List[Dict[str, Any]]:
        return self.sb.requests_to("/v1/posts")

    def interrupted(self, posts: List[Dict[str, Any]], key: str, ready: Callable[[], bool]) -> soku.BatchInterrupted:
        c = self.make(max_retry_wait=60, max_retries=0)
        interrupter = self.interrupt_when(ready)
        try:
            with self.assertRaises(soku.BatchInterrupted) as ctx:
                c.publish_batch(posts, idempotency_key=key)
        finally:
            interrupter.join()
        exc = ctx.exception
        self.assertIsInstance(exc, KeyboardInterrupt)
        self.assertNotIsInstance(exc, soku.SokuError)
        self.assertEqual(exc.idempotency_key, key)
        return exc

    def check_record(self, exc: soku.BatchInterrupted, posts: List[Dict[str, Any]], key: str, sent: int) -> List[str]:
        """The report's published items are exactly the requests the sandbox saw, in order, with
        the keys ``key-i``; the rest are ``not_sent``. Returns the published ids."""
        report = exc.report
        self.assertIsInstance(report, soku.BatchReport)
        self.assertEqual(report.cancelled, sent < len(posts))
        self.assertEqual((report.summary.total, report.summary.succeeded, report.summary.failed), (len(posts), sent, 0))
        self.assertEqual(exc.not_sent, list(range(sent, len(posts))))
        seen = self.posts_seen()
        self.assertEqual(len(seen), sent)
        ids = []
        for i, (item, req) in enumerate(zip(report.items, seen)):
            self.assertEqual(item.index, i)
            self.assertTrue(item.ok)
            assert item.meta is not None and item.post_submission_id is not None
            self.assertEqual(item.meta.idempotency_key, "%s-%d" % (key, i))
            self.assertEqual(header(req, "idempotency-key"), "%s-%d" % (key, i))
            self.assertEqual(json.loads(req["body"]), posts[i])
            ids.append(item.post_submission_id)
        self.assertEqual(len(self.sb.submissions()), sent)
        self.assertIn("%d of %d post(s) published" % (sent, len(posts)), str(exc))
        return ids

    def resume(self, posts: List[Dict[str, Any]], key: str, ids: List[str]) -> None:
        """The documented resume: the same posts, the same key. Each post is then accepted exactly
        once, the earlier ones replayed with their ids."""
        report = self.make(max_retry_wait=60).publish_batch(posts, idempotency_key=key)
        self.assertEqual((report.summary.succeeded, report.summary.failed), (len(posts), 0))
        self.assertFalse(report.cancelled)
        self.assertEqual([item.post_submission_id for item in report.items[: len(ids)]], ids)
        texts = [b["post"]["content"]["text"] for b in self.sb.submissions()]
        self.assertEqual(texts, [p["post"]["content"]["text"] for p in posts])

    def test_interrupt_during_the_first_post(self) -> None:
        posts = numbered_posts(4)
        self.sb.inject("/v1/posts", delayMs=600, count=1)
        exc = self.interrupted(posts, "py-first", lambda: len(self.posts_seen()) == 1)
        # The post in flight finished and is reported; nothing after it was sent.
        ids = self.check_record(exc, posts, "py-first", 1)
        time.sleep(0.3)
        self.assertEqual(len(self.posts_seen()), 1)
        self.resume(posts, "py-first", ids)

    def test_interrupt_during_the_wait_for_the_rate_limit_window(self) -> None:
        posts = numbered_posts(5)
        seen_two_at = []

        def waiting() -> bool:
            if len(self.posts_seen()) < 2:
                return False
            seen_two_at.append(time.monotonic())
            time.sleep(0.3)  # the batch now waits ~3 s for the window
            return True

        started = time.monotonic()
        exc = self.interrupted(posts, "py-wait", waiting)
        # Functional bound: the wait for the window was cut short.
        self.assertLess(time.monotonic() - seen_two_at[0], 2.5)
        self.assertLess(time.monotonic() - started, 20)
        ids = self.check_record(exc, posts, "py-wait", 2)
        self.assertEqual(exc.not_sent, [2, 3, 4])
        self.resume(posts, "py-wait", ids)

    def test_interrupt_during_the_last_post(self) -> None:
        posts = numbered_posts(2)
        self.sb.inject("/v1/posts", delayMs=500, count=2)
        exc = self.interrupted(posts, "py-last", lambda: len(self.posts_seen()) == 2)
        # Nothing was left to stop: the whole report, still raised as an interrupt.
        ids = self.check_record(exc, posts, "py-last", 2)
        self.assertEqual(exc.not_sent, [])
        self.resume(posts, "py-last", ids)

    def test_sigkill_then_the_same_call_publishes_each_post_once(self) -> None:
        posts = numbered_posts(4)
        script = (
            "import json, sys, soku\n"
            "c = soku.Client(api_key=sys.argv[1], base_url=sys.argv[2])\n"
            "c.publish_batch(json.loads(sys.argv[3]), idempotency_key='py-kill')\n"
        )
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(sys.path)
        child = subprocess.Popen(
            [sys.executable, "-c", script, self.sb.api_key, self.sb.url, json.dumps(posts)], env=env
        )
        try:
            deadline = time.monotonic() + 20
            while len(self.posts_seen()) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)  # waiting for the window
            child.kill()
        finally:
            child.wait()
        self.assertEqual(child.returncode, -signal.SIGKILL)
        self.assertEqual(len(self.sb.submissions()), 2)
        self.resume(posts, "py-kill", [])

    def test_without_a_key_the_message_says_to_resend_only_what_was_not_sent(self) -> None:
        posts = numbered_posts(3)
        self.sb.inject("/v1/posts", delayMs=500, count=1)
        c = self.make(max_retries=0)
        interrupter = self.interrupt_when(lambda: len(self.posts_seen()) == 1)
        try:
            with self.assertRaises(soku.BatchInterrupted) as ctx:
                c.publish_batch(posts)
        finally:
            interrupter.join()
        self.assertIsNone(ctx.exception.idempotency_key)
        self.assertEqual(ctx.exception.not_sent, [1, 2])
        self.assertIn("re-send only the posts not sent", str(ctx.exception))
        # The client is still usable and closes cleanly (the call released its handle).
        report = self.make(max_retries=0).publish_batch([])
        self.assertEqual((report.summary.total, report.summary.succeeded, report.summary.failed), (0, 0, 0))


class BatchTest(SandboxCase):
    def test_batch_of_the_documented_posts(self) -> None:
        posts = support.batch_posts()
        report = self.client.publish_batch(posts)
        self.assertEqual(report.summary, soku.BatchSummary(total=3, succeeded=3, failed=0))
        self.assertEqual([r.index for r in report.items], [0, 1, 2])
        for item in report.items:
            self.assertTrue(item.ok, item)
            self.assertTrue(item.post_submission_id)
            self.assertIsNone(item.error)
            self.assertEqual(item.raw["postSubmissionId"], item.post_submission_id)
            assert item.meta is not None
            self.assertTrue(item.meta.request_id)
        self.assertEqual(self.sb.submissions(), posts)
        keys = [header(r, "idempotency-key") for r in self.sb.requests_to("/v1/posts")]
        self.assertEqual(len(set(keys)), 3)  # one key per item
        self.assertIsNotNone(self.client.last_meta)

    def test_batch_with_partial_failure(self) -> None:
        posts = support.batch_posts()
        posts[1]["post"]["content"]["platform"] = ["instagram"]  # ambiguous account: 400 missing_account
        report = self.client.publish_batch({"posts": posts})
        self.assertEqual(report.summary, soku.BatchSummary(total=3, succeeded=2, failed=1))
        ok0, bad, ok2 = report.items
        self.assertTrue(ok0.ok and ok2.ok)
        self.assertFalse(bad.ok)
        self.assertIsNone(bad.post_submission_id)
        self.assertEqual(bad.index, 1)
        self.assertEqual(bad.raw["error"]["code"], "missing_account")
        self.assertEqual(bad.raw["error"]["status"], 400)
        err = bad.error
        assert err is not None
        self.assertIs(err.meta, bad.meta)
        self.assertIsInstance(err, soku.ValidationError)
        self.assertEqual(err.code, "missing_account")
        self.assertTrue(err.request_id)
        self.assertEqual(self.sb.submissions(), [posts[0], posts[2]])

    def test_batch_survives_a_server_error_item(self) -> None:
        self.sb.inject("/v1/posts", status=500, count=1)
        report = self.client.publish_batch(support.batch_posts(), max_retries=0)
        self.assertEqual(report.summary, soku.BatchSummary(total=3, succeeded=2, failed=1))
        self.assertEqual(report.items[0].raw["error"]["code"], "internal_error")
        self.assertIsInstance(report.items[0].error, soku.ServerError)

    def test_invalid_batch_input(self) -> None:
        with self.assertRaises(soku.InvalidArgumentError):
            self.client.publish_batch("not a list")  # type: ignore[arg-type]
        with self.assertRaises(soku.InvalidArgumentError):
            self.client.publish_batch({"posts": 5})
        self.assertEqual(self.sb.requests_to("/v1/posts"), [])


class PublishWithMediaTest(SandboxCase):
    def test_video(self) -> None:
        content = fresh(support.video_post("ignored"))["post"]["content"]
        del content["videoUrl"]
        data = self.client.publish_with_media(source_urls=[support.MEDIA_UPLOAD["url"]], post={"content": content})
        [media] = data.media
        self.assertTrue(media.url.startswith("http"))
        self.assertTrue(data.post.post_submission_id)
        [sub] = self.sb.submissions()
        self.assertEqual(sub["post"]["content"]["videoUrl"], media.url)
        self.assertEqual(sub["post"]["content"]["platform"], content["platform"])
        [upload] = self.sb.requests_to("/v1/media")
        self.assertEqual(json.loads(upload["body"]), support.MEDIA_UPLOAD)

    def test_images_from_a_request_dict(self) -> None:
        sources = ["https://example.com/a.jpg", "https://example.com/b.jpg"]
        content = {"text": "Two pictures", "platform": ["linkedin"]}
        when = support.future_time(120)
        data = self.client.publish_with_media(
            {"sourceUrls": sources, "post": {"content": content}, "scheduledTime": when}
        )
        hosted = [m.url for m in data.media]
        self.assertEqual(len(hosted), 2)
        [sub] = self.sb.submissions()
        self.assertEqual(sub["post"]["content"]["imageUrls"], hosted)
        self.assertEqual(sub["scheduledTime"], when)

    def test_failed_upload_publishes_nothing(self) -> None:
        with self.assertRaises(soku.ValidationError) as ctx:
            self.client.publish_with_media(
                source_urls=["https://example.com/ok.jpg", "https://media.example.invalid/x.jpg"],
                post={"content": {"text": "never", "platform": ["x"]}},
            )
        self.assertEqual(ctx.exception.code, "upload_failed")
        self.assertEqual(self.sb.submissions(), [])


class PublishWithTemplateTest(SandboxCase):
    def test_render_then_publish(self) -> None:
        data = self.client.publish_with_template(
            template=support.TEMPLATE, post={"content": support.TEMPLATE_POST_CONTENT}
        )
        self.assertTrue(data.template.url)
        self.assertTrue(data.post.post_submission_id)
        [sub] = self.sb.submissions()
        content = sub["post"]["content"]
        self.assertEqual(content["imageUrls"], [data.template.url])
        self.assertEqual(content["text"], support.TEMPLATE_POST_CONTENT["text"])
        self.assertEqual(content["mediaType"], "image")
        [render] = self.sb.requests_to("/v1/templates")
        self.assertEqual(json.loads(render["body"]), support.TEMPLATE)

    def test_unknown_template_publishes_nothing(self) -> None:
        with self.assertRaises(soku.NotFoundError):
            self.client.publish_with_template(
                {"template": {"templateSlug": "nope"}, "post": {"content": support.TEMPLATE_POST_CONTENT}}
            )
        self.assertEqual(self.sb.submissions(), [])

    def test_deprecated_content_as_post_sends_the_same_post(self) -> None:
        self.client.publish_with_template(template=support.TEMPLATE, post={"content": support.TEMPLATE_POST_CONTENT})
        self.client.publish_with_template(template=support.TEMPLATE, post=support.TEMPLATE_POST_CONTENT)
        self.client.publish_with_media(source_urls=["https://example.com/a.jpg"], post=support.TEMPLATE_POST_CONTENT)
        subs = self.sb.submissions()
        self.assertEqual(len(subs), 3)
        for sub in subs:
            content = sub["post"]["content"]
            self.assertEqual(content["text"], support.TEMPLATE_POST_CONTENT["text"])
            self.assertEqual(content["platform"], support.TEMPLATE_POST_CONTENT["platform"])
            self.assertEqual(content["mediaType"], "image")
            self.assertNotIn("text", sub["post"])


class RotationTest(unittest.TestCase):
    """Each test gets its own sandbox: rotation revokes the default key."""

    def setUp(self) -> None:
        self.sb = Sandbox()
        self.addCleanup(self.sb.stop)

    def make(self, **config: object) -> soku.Client:
        c = soku.Client(base_url=self.sb.url, backoff_base=0.001, max_retry_wait=0.05, **config)  # type: ignore[arg-type]
        self.addCleanup(c.close)
        return c

    def test_a_missing_or_revoked_old_key_id_creates_no_key(self) -> None:
        c = self.make(api_key=self.sb.api_key, firebase_token=self.sb.firebase_token)
        spare = c.create_api_key("spare")
        assert spare.id is not None
        c.revoke_api_key(spare.id)

        def keys() -> List[Any]:
            return sorted((k.id, k.status) for k in c.list_api_keys().keys)

        before = keys()
        for old_id, says in (("key_typo", "is not one of the account's 2 api key(s)"), (spare.id, "is revoked, not active")):
            seen = len(self.sb.requests())
            with self.assertRaises(soku.InvalidArgumentError) as ctx:
                c.rotate_api_key(old_id)
            self.assertEqual(ctx.exception.param, "oldKeyId")
            self.assertIn(says, str(ctx.exception))
            self.assertIn("nothing was created", str(ctx.exception))
            self.assertEqual([(r["method"], r["path"]) for r in self.sb.requests()[seen:]], [("GET", "/v1/api-keys")])
            self.assertEqual(keys(), before)

    def test_rotate_with_probe(self) -> None:
        old = self.make(api_key=self.sb.api_key, firebase_token=self.sb.firebase_token)
        rotated = old.rotate_api_key(self.sb.default_key_id, name=support.ROTATION_NAME)
        self.assertTrue(rotated.api_key.startswith("sk_live_"))
        self.assertNotEqual(rotated.api_key, self.sb.api_key)
        self.assertEqual(rotated.verified, "probe")
        self.assertEqual(rotated.revoked_key_id, self.sb.default_key_id)
        self.assertIs(rotated.revoked, True)
        self.assertIsNone(rotated.revoke_error)
        self.assertEqual(self.sb.submissions(), [])  # the probe publishes nothing

        with self.assertRaises(soku.AuthenticationError):
            old.create_post(fresh(support.TEXT_POST))
        new = self.make(api_key=rotated.api_key)
        self.assertTrue(new.create_post(fresh(support.TEXT_POST)).post_submission_id)

        keys = {k.id: k for k in old.list_api_keys().keys}
        self.assertEqual(keys[self.sb.default_key_id].status, "revoked")
        self.assertIn(support.ROTATION_NAME, [k.name for k in keys.values()])

    def test_rotate_verifying_with_a_post(self) -> None:
        c = self.make(api_key=self.sb.api_key)
        rotated = c.rotate_api_key(
            {"oldKeyId": self.sb.default_key_id, "verify": "post"}, firebase_token=self.sb.firebase_token
        )
        self.assertEqual(rotated.verified, "post")
        [sub] = self.sb.submissions()
        [verification] = [r for r in self.sb.requests_to("/v1/posts") if header(r, "soku-api-key") == rotated.api_key]
        self.assertEqual(json.loads(verification["body"]), sub)
        with self.assertRaises(soku.AuthenticationError):
            c.create_post(fresh(support.TEXT_POST))

    def test_failed_verification_keeps_the_old_key(self) -> None:
        c = self.make(api_key=self.sb.api_key, firebase_token=self.sb.firebase_token, max_retries=0)
        self.sb.inject("/v1/posts", status=401, code="unauthorized")
        with self.assertRaises(soku.ApiError) as ctx:
            c.rotate_api_key(self.sb.default_key_id, verify="post")
        self.assertEqual(ctx.exception.code, "unauthorized")
        self.assertEqual(self.sb.requests_to("/v1/api-keys/" + self.sb.default_key_id), [])
        self.assertTrue(c.create_post(fresh(support.TEXT_POST)).post_submission_id)

    def test_failed_revocation_still_hands_back_the_new_key(self) -> None:
        c = self.make(api_key=self.sb.api_key, firebase_token=self.sb.firebase_token, max_retries=0)
        self.sb.inject("/v1/api-keys/" + self.sb.default_key_id, method="DELETE", status=500,
                       code="internal_error")
        rotated = c.rotate_api_key(self.sb.default_key_id)
        self.assertIs(rotated.revoked, False)
        self.assertIsNone(rotated.revoked_key_id)
        err = rotated.revoke_error
        assert err is not None
        self.assertIsInstance(err, soku.ServerError)
        self.assertEqual(err.code, "internal_error")
        # Both keys work: the caller has the new one and can retry the revocation.
        self.assertTrue(c.create_post(fresh(support.TEXT_POST)).post_submission_id)
        new = self.make(api_key=rotated.api_key)
        self.assertTrue(new.create_post(fresh(support.TEXT_POST)).post_submission_id)

    def test_api_key_calls_need_a_firebase_token(self) -> None:
        with mock.patch.dict(os.environ):
            os.environ.pop("SOKU_FIREBASE_TOKEN", None)
            c = self.make(api_key=self.sb.api_key)
            with self.assertRaises(soku.ConfigError):
                c.list_api_keys()
            with self.assertRaises(soku.ConfigError):
                c.rotate_api_key(self.sb.default_key_id)
        self.assertEqual(self.sb.requests_to("/v1/api-keys"), [])


if __name__ == "__main__":
    unittest.main()
