"""A clerk changes their own PIN at the counter (`change_pin`); a supervisor sees who is locked
out (`locked_staff`) and unlocks them (`unlock_staff`); a supervisor issues on a citizen's behalf."""

from __future__ import annotations

from typing import Any

import pytest
from support.raw import Refused, counter, hello, supervisor

pytestmark = pytest.mark.fast_hub


async def test_a_clerk_changes_their_pin(hub: Any) -> None:
    sid, pin = hub.clerk(3)
    c = await counter(hub, 3)
    wrong = await c.error("change_pin", "wrong_pin", old="0000", new="5678")
    assert "原密码不正确" in wrong["message"]
    await c.error("change_pin", "bad_args", old=pin, new="12")  # too short
    await c.error("change_pin", "bad_args", old=pin, new="５６７８")  # full-width digits
    await c.error("change_pin", "bad_args", old=pin, new=pin)
    await c.ok("change_pin", rid="pin-1", old=pin, new="5678")
    # the same request again (a resend after a lost reply): the same ok, nothing else
    again = await c.ok("change_pin", rid="pin-1", old=pin, new="5678")
    assert again["re"] == "pin-1"
    await c.ok("logout")
    with pytest.raises(Refused) as refused:
        await hello(hub.url, role="counter", staff=sid, pin=pin, window=3)
    assert refused.value.code == "auth_failed"
    ok = await hello(hub.url, role="counter", staff=sid, pin="5678", window=3)
    await ok.close()


async def test_a_supervisor_sees_and_unlocks_a_locked_out_clerk(hub: Any) -> None:
    sid, pin = hub.clerk(4)
    s = await supervisor(hub)
    first = await s.next("locked_staff")
    assert first["staff"] == []
    for _ in range(5):
        with pytest.raises(Refused):
            await hello(hub.url, role="counter", staff=sid, pin="0000", window=4)
    with pytest.raises(Refused) as refused:
        await hello(hub.url, role="counter", staff=sid, pin=pin, window=4)
    assert refused.value.code == "locked"
    listed = await s.next(lambda f: f.get("type") == "locked_staff" and f["staff"])
    assert [x["id"] for x in listed["staff"]] == [sid] and listed["staff"][0]["locked_until"]
    await s.error("unlock_staff", "not_found", staff="nobody")
    assert (await s.ok("unlock_staff", rid="u-1", staff=sid))["staff"] == sid
    assert (await s.next("locked_staff"))["staff"] == []
    assert (await s.ok("unlock_staff", rid="u-1", staff=sid))["staff"] == sid  # resend
    c = await hello(hub.url, role="counter", staff=sid, pin=pin, window=4)
    await c.close()
    # a clerk may not unlock anyone, a supervisor may not change a PIN this way
    c = await counter(hub, 5)
    await c.error("unlock_staff", "forbidden", staff=sid)
    await s.error("change_pin", "forbidden", old="9999", new="1111")
    await c.close()
    await s.close()


async def test_a_supervisor_issues_on_a_citizens_behalf(hub: Any) -> None:
    s = await supervisor(hub)
    reply = await s.ok("issue", service="MZ-01", override=True)
    assert reply["ticket"]["number"] == "A001" and reply["url"].endswith(reply["token"])
    await s.close()
