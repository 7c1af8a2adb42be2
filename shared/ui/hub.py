"""The one way a Textual app talks to the hub: `HubLink` and its four messages.

A `HubLink` runs a `HubClient` in an exclusive app worker (group ``"hub"``)
and turns the client's callbacks into Textual messages posted to the app,
in the order the hub sent them:

- `HubWelcomed` on every (re)connect, with a fresh snapshot;
- `HubEvent` for every pushed frame that is not a reply;
- `HubStatus` when the connection goes up or down;
- `HubFailed` when the hub refused the client for good (the client stops).

Apps handle them with ``@on(HubWelcomed)`` etc. Data flows down (the app
folds frames into its state and tells screens to redraw), requests flow up
(screens post ``...Requested`` messages that the app handles and sends with
`HubLink.request`). Every message names the client that sent it: after
`connect()` starts a fresh client, news from the replaced one is dropped
(`is_current`), so a late frame of an old session never touches the state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message import Message

from shared.client import HubClient, HubError

Frame = dict[str, Any]


class HubMessage(Message):
    """Something the hub client reported; `client` is the client that reported it."""

    def __init__(self, client: HubClient) -> None:
        super().__init__()
        self.client = client


class HubWelcomed(HubMessage):
    """A (re)connect: `welcome` is the whole snapshot, replacing what the app knew."""

    def __init__(self, client: HubClient, welcome: Frame) -> None:
        super().__init__(client)
        self.welcome = welcome


class HubEvent(HubMessage):
    """A pushed frame (an event, or `metrics` / `position` for the roles that get them)."""

    def __init__(self, client: HubClient, frame: Frame) -> None:
        super().__init__(client)
        self.frame = frame


class HubStatus(HubMessage):
    """The connection went up (`online`) or down."""

    def __init__(self, client: HubClient, online: bool) -> None:
        super().__init__(client)
        self.online = online


class HubFailed(HubMessage):
    """The hub refused this client for good (bad credentials, taken over, ...)."""

    def __init__(self, client: HubClient, error: HubError) -> None:
        super().__init__(client)
        self.error = error


class HubLink:
    """One app's connection to the hub (see the module docstring)."""

    def __init__(
        self,
        app: App[Any],
        url: str,
        hello: Callable[[], Frame],
        **client_options: Any,
    ) -> None:
        self.app = app
        self.url = url
        self.hello = hello  # called at each connect(): the language or PIN may have changed
        self.client_options = client_options
        self.client: HubClient | None = None

    @property
    def online(self) -> bool:
        """True while the current client holds a welcomed connection."""
        return self.client is not None and self.client.online

    def is_current(self, message: HubMessage) -> bool:
        """True when the message comes from the client this link runs now."""
        return message.client is self.client

    def connect(self) -> HubClient:
        """Start a fresh client (replacing the current one) and return it."""
        self.drop()
        client = HubClient(self.url, self.hello(), **self.client_options)
        post = self.app.post_message
        client.on_welcome = lambda frame: post(HubWelcomed(client, frame))
        client.on_event = lambda frame: post(HubEvent(client, frame))
        client.on_status = lambda up: post(HubStatus(client, up))
        client.on_error = lambda error: post(HubFailed(client, error))
        self.client = client
        self.app.run_worker(
            self._run(client), name="hub", group="hub", exclusive=True, exit_on_error=False
        )
        return client

    @staticmethod
    async def _run(client: HubClient) -> None:
        try:
            await client.run()
        finally:
            await client.close()  # no widgets touched here: it may run at exit

    def drop(self) -> None:
        """Forget the current client and close it (its pending requests fail with `closed`)."""
        client, self.client = self.client, None
        if client is not None:
            self.app.run_worker(client.close(), group="hub-close", exit_on_error=False)

    async def request(self, type: str, **args: Any) -> Frame:
        """Send a request with the current client; HubError("closed") when there is none."""
        if self.client is None:
            raise HubError("closed", "not connected")
        return await self.client.request(type, **args)
