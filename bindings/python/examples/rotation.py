"""Rotate an API key: create a new one, verify it, revoke the old one.

    SOKU_API_KEY=sk_live_... SOKU_FIREBASE_TOKEN=... [SOKU_BASE_URL=...] \\
        python rotation.py OLD_KEY_ID [--verify probe|post|none] [--print-key]

OLD_KEY_ID may also come from SOKU_OLD_KEY_ID. The old key is revoked only after the new one
was verified ("probe", the default, publishes nothing). The new key is printed in full only
with --print-key; store it in your secret manager and update SOKU_API_KEY.
"""

import argparse
import os
import sys

import soku


def main() -> int:
    parser = argparse.ArgumentParser(description="Rotate an API key: create, verify, revoke the old one.")
    parser.add_argument("old_key_id", nargs="?", default=os.environ.get("SOKU_OLD_KEY_ID"))
    parser.add_argument("--name", default="Production Server (rotated)")
    parser.add_argument("--verify", choices=["probe", "post", "none"], default="probe")
    parser.add_argument("--print-key", action="store_true", help="print the new key in full")
    args = parser.parse_args()
    if not args.old_key_id:
        parser.error("the old key's id is required (argument or SOKU_OLD_KEY_ID)")
    token = os.environ.get("SOKU_FIREBASE_TOKEN")
    if not token:
        parser.error("SOKU_FIREBASE_TOKEN must hold a Firebase ID token")

    with soku.Client(firebase_token=token) as client:
        try:
            rotated = client.rotate_api_key(args.old_key_id, name=args.name, verify=args.verify)
        except soku.ApiError as err:
            print("rotation failed, old key kept: %s" % err, file=sys.stderr)
            return 1
        except soku.SokuError as err:
            print("error: %s" % err, file=sys.stderr)
            return 1
    key = rotated.api_key
    print("New key created%s (verified: %s)" % (" with id " + rotated.id if rotated.id else "", rotated.verified))
    print("Update SOKU_API_KEY to: %s" % (key if args.print_key else key[:12] + "..."))
    if not rotated.revoked:
        # Verified, but revoking the old key failed: both keys work until it is revoked.
        print("revoking the old key %s FAILED (%s); revoke it by hand" % (args.old_key_id, rotated.revoke_error),
              file=sys.stderr)
        return 1
    print("Old key revoked: %s" % rotated.revoked_key_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
