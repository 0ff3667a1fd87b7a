"""Every exception class, each produced by a real answer (or non-answer) of the sandbox."""

from __future__ import annotations

import unittest
from typing import Any, Dict

import soku

import support
from support import Sandbox, SandboxCase, fresh, header


class ErrorsTest(SandboxCase):
    def assertApiError(self, err: soku.ApiError, status: int, code: str) -> None:
        self.assertEqual(err.status, status)
        self.assertEqual(err.code, code)
        self.assertTrue(err.message)
        self.assertTrue(err.request_id, err)
        self.assertIn(code, str(err))
        self.assertIn(str(err.request_id), str(err))
        self.assertIsNotNone(err.meta)
        assert err.meta is not None
        self.assertEqual(err.meta.status, status)

    def test_validation_error_400(self) -> None:
        body = fresh(support.TEXT_POST)
        body["post"]["content"]["platform"] = ["instagram"]  # two instagram accounts: ambiguous
        with self.assertRaises(soku.ValidationError) as ctx:
            self.client.create_post(body)
        self.assertApiError(ctx.exception, 400, "missing_account")
        assert self.client.last_meta is not None
        self.assertEqual(self.client.last_meta.status, 400)
        self.assertEqual(self.client.last_meta.attempts, 1)  # a 400 is never retried
        self.assertEqual(len(self.sb.requests_to("/v1/posts")), 1)

    def test_validation_error_from_the_server_when_client_validation_is_off(self) -> None:
        c = self.make(validate_scheduled_time=False)
        with self.assertRaises(soku.ValidationError) as ctx:
            c.create_post(support.scheduled_post(support.DOCUMENTED_SCHEDULED_TIME))
        self.assertApiError(ctx.exception, 400, "validation_error")
        self.assertIsNotNone(ctx.exception.details)

    def test_upload_failed_400(self) -> None:
        with self.assertRaises(soku.ValidationError) as ctx:
            self.client.upload_media("https://cdn.example.invalid/clip.mp4")
        self.assertApiError(ctx.exception, 400, "upload_failed")

    def test_authentication_error_401_hides_the_key(self) -> None:
        wrong = "sk_live_wrong_key_0123456789abcdef0123456789"
        c = self.make(api_key=wrong)
        with self.assertRaises(soku.AuthenticationError) as ctx:
            c.create_post(fresh(support.TEXT_POST))
        err = ctx.exception
        self.assertEqual(err.status, 401)
        self.assertEqual(err.code, "unauthorized")
        self.assertTrue(err.request_id)
        for text in (str(err), repr(err), err.message):
            self.assertNotIn(wrong, text)
        assert c.last_meta is not None
        self.assertEqual(c.last_meta.status, 401)
        self.assertIs(err.meta, c.last_meta)

    def test_permission_denied_403(self) -> None:
        c = self.make(api_key=self.sb.inactive_api_key)
        with self.assertRaises(soku.PermissionDeniedError) as ctx:
            c.create_post(fresh(support.TEXT_POST))
        self.assertEqual(ctx.exception.status, 403)
        self.assertEqual(ctx.exception.code, "forbidden")
        self.assertEqual(self.sb.submissions(), [])

    def test_not_found_404(self) -> None:
        with self.assertRaises(soku.NotFoundError) as ctx:
            self.client.render_template("noSuchTemplate")
        self.assertApiError(ctx.exception, 404, "template_not_found")

    def test_conflict_409(self) -> None:
        self.client.create_post(fresh(support.TEXT_POST), idempotency_key="same-key")
        with self.assertRaises(soku.ConflictError) as ctx:
            self.client.create_post(fresh(support.IMAGE_POST), idempotency_key="same-key")
        self.assertApiError(ctx.exception, 409, "idempotency_conflict")
        self.assertEqual(len(self.sb.submissions()), 1)

    def test_insufficient_credits_402_is_a_plain_api_error(self) -> None:
        body = dict(support.TRANSCRIBE, durationSeconds=60 * 100_000)
        with self.assertRaises(soku.ApiError) as ctx:
            self.client.transcribe(body)
        self.assertIs(type(ctx.exception), soku.ApiError)
        self.assertApiError(ctx.exception, 402, "insufficient_credits")

    def test_rate_limit_429_without_retries(self) -> None:
        self.sb.inject("/v1/posts", status=429, retryAfter=7)
        with self.assertRaises(soku.RateLimitError) as ctx:
            self.client.create_post(fresh(support.TEXT_POST), max_retries=0)
        self.assertApiError(ctx.exception, 429, "rate_limit_exceeded")
        self.assertEqual(ctx.exception.retry_after, 7)
        assert ctx.exception.meta is not None
        self.assertEqual(ctx.exception.meta.attempts, 1)
        self.assertEqual(len(self.sb.requests_to("/v1/posts")), 1)
        self.assertEqual(self.sb.submissions(), [])

    def test_real_rate_limit_window(self) -> None:
        limited = Sandbox("--window-ms", "60000", "--limit", "posts=2")
        self.addCleanup(limited.stop)
        c = self.make(api_key=limited.api_key, base_url=limited.url, max_retries=0)
        c.create_post(fresh(support.TEXT_POST))
        c.create_post(fresh(support.IMAGE_POST))
        assert c.last_meta is not None
        self.assertEqual(c.last_meta.rate_limit.remaining, 0)
        self.assertEqual(c.last_meta.rate_limit.limit, 2)
        with self.assertRaises(soku.RateLimitError) as ctx:
            c.create_post(fresh(support.TEXT_POST))
        self.assertEqual(ctx.exception.code, "rate_limit_exceeded")
        self.assertIsNotNone(ctx.exception.retry_after)
        self.assertGreater(ctx.exception.retry_after or 0, 0)
        self.assertEqual(len(limited.submissions()), 2)

    def test_429_is_retried_and_visible_in_meta(self) -> None:
        self.sb.inject("/v1/posts", status=429, retryAfter=0)
        data = self.client.create_post(fresh(support.TEXT_POST))
        self.assertTrue(data.post_submission_id)
        meta = self.client.last_meta
        assert meta is not None
        self.assertEqual(meta.attempts, 2)
        reqs = self.sb.requests_to("/v1/posts")
        self.assertEqual(len(reqs), 2)
        keys = {header(r, "idempotency-key") for r in reqs}
        self.assertEqual(keys, {meta.idempotency_key})  # the same key on the retry
        self.assertEqual(len(self.sb.submissions()), 1)

    def test_server_error_500_without_retries(self) -> None:
        self.sb.inject("/v1/posts", status=500)
        with self.assertRaises(soku.ServerError) as ctx:
            self.client.create_post(fresh(support.TEXT_POST), max_retries=0)
        self.assertApiError(ctx.exception, 500, "internal_error")
        self.assertEqual(len(self.sb.requests_to("/v1/posts")), 1)

    def test_server_errors_exhaust_retries(self) -> None:
        self.sb.inject("/v1/media", status=503, count=10)
        c = self.make(max_retries=2)
        with self.assertRaises(soku.ServerError) as ctx:
            c.upload_media(support.MEDIA_UPLOAD["url"])
        assert ctx.exception.meta is not None
        self.assertEqual(ctx.exception.meta.attempts, 3)
        self.assertEqual(ctx.exception.status, 503)
        self.assertEqual(len(self.sb.requests_to("/v1/media")), 3)

    def test_html_error_page_is_an_api_error_with_the_status(self) -> None:
        self.sb.inject("/v1/posts", status=502, body="<html><body>Bad Gateway</body></html>")
        with self.assertRaises(soku.ServerError) as ctx:
            self.client.create_post(fresh(support.TEXT_POST), max_retries=0)
        self.assertEqual(ctx.exception.status, 502)

    def test_decode_error_on_a_2xx_that_is_not_json(self) -> None:
        self.sb.inject("/v1/posts", status=200, body="<html>surprise</html>")
        with self.assertRaises(soku.DecodeError) as ctx:
            self.client.create_post(fresh(support.TEXT_POST), max_retries=0)
        assert ctx.exception.meta is not None
        self.assertEqual(ctx.exception.meta.status, 200)

    def test_transport_error_on_a_closed_port(self) -> None:
        c = self.make(base_url="http://127.0.0.1:%d" % support.closed_port(), max_retries=0)
        with self.assertRaises(soku.TransportError) as ctx:
            c.create_post(fresh(support.TEXT_POST))
        self.assertNotIsInstance(ctx.exception, soku.SokuTimeoutError)
        self.assertEqual(ctx.exception.kind, "transport")
        assert c.last_meta is not None
        self.assertEqual(c.last_meta.status, 0)
        self.assertNotIn(self.sb.api_key, str(ctx.exception))

    def test_timeout(self) -> None:
        self.sb.inject("/v1/posts", delayMs=3000)
        with self.assertRaises(soku.SokuTimeoutError) as ctx:
            self.client.create_post(fresh(support.TEXT_POST), timeout=0.3, max_retries=0)
        self.assertEqual(ctx.exception.kind, "timeout")
        self.assertNotIsInstance(ctx.exception, soku.TransportError)  # separate kinds, as in the library
        self.assertIsInstance(ctx.exception, TimeoutError)

    def test_invalid_argument_from_the_library(self) -> None:
        before = len(self.sb.requests())
        with self.assertRaises(soku.InvalidArgumentError) as ctx:
            self.client.create_post({"post": {"content": {"text": "x", "platform": "x", "mediaType": 5}}})
        self.assertIsInstance(ctx.exception, ValueError)
        self.assertEqual(ctx.exception.param, "post.content.mediaType")  # the field to fix, as data
        with self.assertRaises(soku.InvalidArgumentError) as ctx:
            self.client.create_post({"post": {"content": {"text": " ", "platform": ["x"]}}})
        self.assertEqual(ctx.exception.param, "post.content.text")
        with self.assertRaises(soku.InvalidArgumentError):
            self.client.create_post({"post": {"content": {"text": object(), "platform": ["x"]}}})
        with self.assertRaises(soku.InvalidArgumentError):
            self.client.upload_media(42)  # type: ignore[arg-type]
        # A request that contains itself, and NaN: refused before anything is sent.
        looped: Dict[str, Any] = {"post": {"content": {"text": "x", "platform": ["x"]}}}
        looped["post"]["content"]["self"] = looped
        with self.assertRaises(soku.InvalidArgumentError) as ctx:
            self.client.create_post(looped)
        self.assertIn("request is not valid JSON: nested too deeply or contains itself", str(ctx.exception))
        with self.assertRaises(soku.InvalidArgumentError) as ctx:
            self.client.create_post({"post": {"content": {"text": "x", "platform": ["x"], "n": float("nan")}}})
        self.assertIn("request is not valid JSON: Out of range float values", str(ctx.exception))
        self.assertEqual(len(self.sb.requests()), before)

    def test_config_error(self) -> None:
        with self.assertRaises(soku.ConfigError) as ctx:
            soku.Client(api_key=self.sb.api_key, base_url="not a url")
        self.assertEqual(ctx.exception.kind, "config")
        self.assertEqual(ctx.exception.param, "baseUrl")
        with self.assertRaises(soku.ConfigError):  # plain http to a non-loopback host
            soku.Client(api_key=self.sb.api_key, base_url="http://example.com")

    def test_durations_above_24_hours_are_refused(self) -> None:
        day = 24 * 60 * 60
        for option in ("timeout", "connect_timeout", "max_retry_wait", "backoff_base"):
            with self.subTest(option=option):
                with self.assertRaises(soku.ConfigError) as ctx:
                    soku.Client(api_key=self.sb.api_key, base_url=self.sb.url, **{option: day + 1})
                self.assertEqual(ctx.exception.kind, "config")
                self.assertIsNotNone(ctx.exception.param)
        self.make(timeout=day).close()  # exactly 24 h is allowed
        with self.assertRaises(soku.InvalidArgumentError) as ctx2:
            self.client.create_post(fresh(support.TEXT_POST), timeout=day + 1)
        self.assertEqual(ctx2.exception.kind, "invalid_argument")
        self.assertEqual(ctx2.exception.param, "timeoutMs")
        self.assertEqual(self.sb.requests_to("/v1/posts"), [])  # refused before anything was sent

    def test_unknown_option_keyword(self) -> None:
        with self.assertRaises(TypeError):
            self.client.create_post(fresh(support.TEXT_POST), retries=1)  # type: ignore[call-arg]


if __name__ == "__main__":
    unittest.main()
