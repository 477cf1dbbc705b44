"""Login with Amazon for the sandbox: the token endpoint and the access tokens it issues.

The credentials are fixed and documented (README, "sandbox serve"), so anyone can point a client
at the sandbox. Access tokens are stateless (``Atza|<expiry>.<signature>``), signed with a key
fixed per seller, so a token the library has cached stays valid across a sandbox restart.
The ``client_credentials`` grant (no refresh token, ``scope=sellingpartnerapi::notifications``)
gives a grantless token (``Atza|g<expiry>.<signature>``): only grantless operations take it
(createDestination, getDestinations), and they take only it.
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
#: The application's id, in the name of the EventBridge partner event source a destination makes
SANDBOX_APPLICATION_ID = "amzn1.sp.solution.sandbox"
#: The scopes of grantless operations LWA grants (the Notifications API's; Amazon's
#: "Grantless operations" page)
GRANTLESS_SCOPES = frozenset({"sellingpartnerapi::notifications"})
TOKEN_PATH = "/auth/o2/token"

ACCESS_TOKEN_LIFETIME = 3600  # seconds, real time (the library caches tokens for 3200 s)

UNAUTHORIZED = "Access to requested resource is denied."


class AccessTokens:
    """Issues and checks LWA access tokens against the wall clock."""

    def __init__(self, seller_id: str, wall_clock: Callable[[], float]) -> None:
        self._key = hashlib.sha256(f"asin-tui-sandbox:{seller_id}".encode()).digest()
        self._wall_clock = wall_clock

    def issue(self, *, grantless: bool = False) -> str:
        expiry = f"{'g' if grantless else ''}{int(self._wall_clock()) + ACCESS_TOKEN_LIFETIME}"
        return f"Atza|{expiry}.{self._sign(expiry)}"

    def problem(self, token: str | None, *, grantless: bool = False) -> str | None:
        """None for a valid token of the kind the operation takes (``grantless``: a token of
        the client_credentials grant; else the seller's), else the `details` Amazon gives."""
        if not token:
            return ""
        stamp, _, signature = token.removeprefix("Atza|").partition(".")
        expiry = stamp.removeprefix("g")
        if not (
            token.startswith("Atza|")
            and expiry.isdigit()
            and hmac.compare_digest(signature, self._sign(stamp))
        ):
            return "The access token you provided is revoked, malformed or invalid."
        if int(expiry) <= self._wall_clock():
            return "The access token you provided has expired."
        if stamp.startswith("g") != grantless:
            return "The access token you provided is not valid for this operation."
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
        if grant_type not in ("refresh_token", "client_credentials"):
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
        if grant_type == "client_credentials":  # a grantless operation's token
            if form.get("scope") not in GRANTLESS_SCOPES:
                return oauth_error(400, "invalid_scope", "The request has an invalid scope")
            return json_response(
                200,
                {
                    "access_token": self._tokens.issue(grantless=True),
                    "scope": form["scope"],
                    "token_type": "bearer",
                    "expires_in": ACCESS_TOKEN_LIFETIME,
                },
            )
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
