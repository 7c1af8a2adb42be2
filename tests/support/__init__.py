"""What every test folder shares (``tests/`` is on ``sys.path``: ``from support.raw import ...``).

- `support.raw`: the raw protocol client (websockets and HTTP, no project client
  code) and the credentials of each role on the test hub (`hello_fields`).
- `support.hubclient`: `hub_client`, the apps' own `shared.client.HubClient`
  running against the test hub.
- `support.wait`: `wait_for`, the one way a test waits for a condition.
- `support.scenes`: welcomes, events and replies made by the real engine and
  views on the demo hall, for the tests that run without a hub.
"""
