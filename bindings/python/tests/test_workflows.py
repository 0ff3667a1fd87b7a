"""The multi-step workflows of the vendor's code-examples page: batch publishing, upload-then-publish, render-then-publish, key rotation."""

from __future__ import annotations

import _thread
import json
import os
import threading
import time
import unittest
from unittest import mock

import soku

import support
from support import Sandbox, SandboxCase, fresh, header


class BatchInterruptTest(SandboxCase):
    """Ctrl-C during a batch's wait for the rate-limit window stops the batch and re-raises."""

    sandbox_args = ("--window-ms", "50000", "--limit", "posts=1")

    def test_keyboard_interrupt_cancels_the_batch_and_is_re_raised(self) -> None:
        c = self.make(max_retry_wait=60, max_retries=0)

        def interrupt_once_the_window_is_used_up() -> None:
            deadline = time.monotonic() + 20
            while not self.sb.requests_to("/v1/posts") and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)  # the batch is now waiting ~50 s for the window to reset
            _thread.interrupt_main()

        interrupter = threading.Thread(target=interrupt_once_the_window_is_used_up)
        interrupter.start()
        started = time.monotonic()
        with self.assertRaises(KeyboardInterrupt):
            c.publish_batch(support.batch_posts())
        interrupter.join()
        # Functional bound, not a speed claim: the ~50 s wait was cut short.
        self.assertLess(time.monotonic() - started, 40)
        self.assertEqual(len(self.sb.requests_to("/v1/posts")), 1)
        time.sleep(0.3)  # nothing more is sent after the interrupt
        self.assertEqual(len(self.sb.requests_to("/v1/posts")), 1)
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
