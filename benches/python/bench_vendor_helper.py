"""(e) The Python helper of the vendor's code-examples page, verbatim apart from where BASE_URL
comes from.

Environment: SOKU_API_KEY (as in the vendor's example), SOKU_BENCH_URL (replaces the example's
https://api.mysoku.io), SOKU_BENCH_N, SOKU_BENCH_OUT.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

# ---- vendor example "Python Base Configuration" (BASE_URL changed to the local server) ----
import requests  # noqa: E402

SOKU_API_KEY = os.environ["SOKU_API_KEY"]
BASE_URL = os.environ["SOKU_BENCH_URL"]


def soku_request(path, method="GET", json_data=None, extra_headers=None):
    url = f"{BASE_URL}{path}"
    headers = {
        "Content-Type": "application/json",
        "soku-api-key": SOKU_API_KEY,
    }
    if extra_headers:
        headers.update(extra_headers)

    response = requests.request(method, url, json=json_data, headers=headers)

    if not response.ok:
        body = response.json()
        error_info = body.get("error", {})
        raise Exception(
            f"API error {error_info.get('code')}: {error_info.get('message')} "
            f"(requestId: {error_info.get('requestId')})"
        )

    if response.status_code == 204:
        return None

    return response.json()
# ---- end of the vendor example ----


if __name__ == "__main__":
    body = harness.payload()
    harness.run("py-vendor", lambda: soku_request("/v1/posts", method="POST", json_data=body))
