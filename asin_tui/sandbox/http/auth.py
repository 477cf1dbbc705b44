"""Login with Amazon for the sandbox: the token endpoint and the access tokens it issues.

The credentials are fixed and documented (README, "sandbox serve"), so anyone can point a client
at the sandbox. Access tokens are stateless (``Atza|<expiry>.<signature>``), signed with a key
fixed per seller, so a token the library has cached stays valid across a sandbox restart.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from urllib.parse import parse_qsl

from asin_tui.sandbox.http.router import RouteSpec
from asin_tui.sandbox.http.wire import Request, SandboxResponse, json_response, oauth_error, same

SANDBOX_CLIENT_ID = "amzn1.application-oa2-client.sandbox"
SANDBOX_CLIENT_SECRET = "sandbox-secret"
SANDBOX_REFRESH_TOKEN = "Atzr|sandbox"
TOKEN_PATH = "/auth/o2/token"

ACCESS_TOKEN_LIFETIME = 3600  # seconds, real time (the library caches tokens for 3200 s)

UNAUTHORIZED = "Access to requested resource is denied."


class AccessTokens:
    """Issues and checks LWA access tokens against the wall clock."""

    def __init__(self, seller_id: str, wall_clock: Callable[[], float]) -> None:
        self._key = hashlib.sha256(f"asin-tui-sandbox:{seller_id}".encode()).digest()
        self._wall_clock = wall_clock

    def issue(self) -> str:
        expiry = int(self._wall_clock()) + ACCESS_TOKEN_LIFETIME
        return f"Atza|{expiry}.{self._sign(str(expiry))}"

    def problem(self, token: str | None) -> str | None:
        """None for a valid token, else the `details` Amazon gives for the refusal."""
        if not token:
            return ""
        expiry, _, signature = token.removeprefix("Atza|").partition(".")
        if not (
            token.startswith("Atza|")
            and expiry.isdigit()
            and hmac.compare_digest(signature, self._sign(expiry))
        ):
            return "The access token you provided is revoked, malformed or invalid."
        if int(expiry) <= self._wall_clock():
            return "The access token you provided has expired."
        return None

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:40]


class LwaHandlers:
    """``POST /auth/o2/token``: the refresh-token grant, with LWA's OAuth error answers."""

    def __init__(self, tokens: AccessTokens) -> None:
        self._tokens = tokens

    def routes(self) -> list[RouteSpec]:
        return [("POST", TOKEN_PATH, None, self.token)]

    def token(self, request: Request, _params: dict[str, str]) -> SandboxResponse:
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        grant_type = form.get("grant_type", "")
        if not grant_type:
            return oauth_error(
                400, "invalid_request", "The request is missing a required parameter : grant_type"
            )
        if grant_type != "refresh_token":
            return oauth_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server",
            )
        if not (
            same(form.get("client_id"), SANDBOX_CLIENT_ID)
            and same(form.get("client_secret"), SANDBOX_CLIENT_SECRET)
        ):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        if not same(form.get("refresh_token"), SANDBOX_REFRESH_TOKEN):
            return oauth_error(
                400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
            )
        return json_response(
            200,
            {
                "access_token": self._tokens.issue(),
                "refresh_token": SANDBOX_REFRESH_TOKEN,
                "token_type": "bearer",
                "expires_in": ACCESS_TOKEN_LIFETIME,
            },
        )
