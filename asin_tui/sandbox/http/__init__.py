"""The sandbox's HTTP face, by concern: the wire format (``wire``), routing (``router``), LWA
and access tokens (``auth``), the gateway's quotas and faults (``gateway``), page tokens
(``paging``) and one module of handlers per SP-API family (``handlers_*``).
``asin_tui.sandbox.app.SandboxApp`` puts them together."""
