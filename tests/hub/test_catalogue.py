"""The catalogue loader: the demo hall, and one clear error per kind of mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.catalogue import (
    DEMO_PATH,
    CatalogueError,
    Hall,
    load_catalogue,
    load_demo,
    parse_catalogue,
)

# --- the demo hall ------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Hall:
    return load_demo()


def test_demo_path_is_the_shipped_file() -> None:
    assert DEMO_PATH.name == "demo_hall.toml"
    assert DEMO_PATH.parent.name == "hub"
    assert DEMO_PATH.is_file()


def test_demo_hall_identity(demo: Hall) -> None:
    assert demo.id == "demo"
    assert demo.name == "万柏林区政务服务中心"
    assert demo.name_en == "Wanbailin District Government Service Center"
    assert demo.timezone == "Asia/Shanghai"
    assert demo.policy.max_wait_minutes == 45
    assert demo.policy.priority_run == 2


def test_demo_has_18_departments_with_distinct_prefixes(demo: Hall) -> None:
    assert len(demo.departments) == 18
    assert len({d.code for d in demo.departments}) == 18
    assert len({d.prefix for d in demo.departments}) == 18
    for d in demo.departments:
        assert d.name and d.name_en
        assert demo.department_services(d.code), f"{d.code} has no service"


def test_demo_has_exactly_the_32_approval_items(demo: Hall) -> None:
    items = demo.approval_items()
    assert len(items) == 32
    per_department: dict[str, int] = {}
    for s in items:
        per_department[s.department] = per_department.get(s.department, 0) + 1
        assert not s.code.endswith("-00")
    # 民政局 3, 统计局 5, 建管局 2, 规划分局 6, 交通局 2, 计生局 3, 市容环卫局 6, 文体局 5
    assert per_department == {
        "MZ": 3, "TJ": 5, "JG": 2, "GH": 6, "JT": 2, "JS": 3, "SR": 6, "WT": 5,
    }  # fmt: skip
    names = {s.name for s in items}
    assert {"社团审批", "民办非企业单位审批", "福利机构审批", "垃圾准运证", "印刷"} <= names
    assert "《统计调查登记证》年审" in names


def test_demo_non_approval_services_are_enquiries_and_desks(demo: Hall) -> None:
    others = [s for s in demo.services if not s.approval]
    # the complaint desk and the fee window's service (一口收费)
    assert {s.code for s in others if not s.code.endswith("-00")} == {"ZW-80", "ZW-90"}
    with_items = {s.department for s in demo.approval_items()}
    for s in others:
        assert s.department not in with_items  # only departments with no listed item


def test_demo_services_are_complete(demo: Hall) -> None:
    assert len({s.code for s in demo.services}) == len(demo.services)
    for s in demo.services:
        dept = demo.department(s.department)
        assert dept is not None
        assert s.name and s.name_en and s.minutes > 0
        assert len(s.prefix) == 1 and s.prefix.isupper()
        g = s.guide
        assert g.materials and len(g.materials) == len(g.materials_en)
        assert g.fee and g.fee_en and g.time_limit and g.time_limit_en
    assert demo.service("ZW-90") is not None and demo.service("ZW-90").prefix == "T"  # type: ignore[union-attr]
    assert demo.service("MZ-01").prefix == "A"  # type: ignore[union-attr]


def test_demo_has_31_windows_serving_existing_services(demo: Hall) -> None:
    assert [w.number for w in demo.windows] == list(range(1, 32))
    codes = {s.code for s in demo.services}
    for w in demo.windows:
        assert w.name == f"{w.number}号窗口"
        assert w.name_en == f"Window {w.number}"
        assert w.services and set(w.services) <= codes
    served = {c for w in demo.windows for c in w.services}
    assert served == codes  # every service has a window


def test_demo_staff(demo: Hall) -> None:
    clerks = [m for m in demo.staff if not m.supervisor]
    assert [m.id for m in clerks] == [f"c{n:03d}" for n in range(1, 32)]
    for n, m in enumerate(clerks, start=1):
        assert n in m.windows and m.name
    assert demo.staff_member("c001").windows == (1, 2)  # type: ignore[union-attr]
    supervisor = demo.staff_member("s001")
    assert supervisor is not None and supervisor.supervisor and supervisor.windows == ()


def test_demo_to_wire_round_trips_json(demo: Hall) -> None:
    wire = demo.to_wire()
    assert json.loads(json.dumps(wire, ensure_ascii=False)) == wire
    assert len(wire["departments"]) == 18
    assert len(wire["windows"]) == 31
    assert wire["services"][0]["guide"]["materials"]
    assert "approval" not in wire["services"][0]  # the wire object stays as docs/protocol.md says
    assert "staff" not in wire  # no staff in the public catalogue


def test_demo_file_says_pins_are_not_in_it() -> None:
    head = DEMO_PATH.read_text(encoding="utf-8")[:2000]
    assert "PIN" in head and "hall staff add" in head


def test_load_catalogue_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "hall.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    hall = load_catalogue(path)
    assert hall.id == "t"
    assert hall.service("MZ-02").prefix == "B"  # type: ignore[union-attr]
    assert hall.service("MZ-01").prefix == "A"  # type: ignore[union-attr]  # department's
    assert hall.window(7).name == "7号窗口"  # type: ignore[union-attr]  # default name
    assert hall.timezone == "Asia/Shanghai"


def test_load_catalogue_missing_file_names_it(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(CatalogueError, match="nope.toml"):
        load_catalogue(path)


# --- validation ---------------------------------------------------------------

MINIMAL = """\
[hall]
id = "t"
name = "测试大厅"
name_en = "Test hall"

[[departments]]
code = "MZ"
name = "民政局"
name_en = "Civil Affairs Bureau"
prefix = "A"

[[services]]
code = "MZ-01"
department = "MZ"
name = "社团审批"
name_en = "Approval of social organisations"
minutes = 15
[services.guide]
materials = ["申请书"]
materials_en = ["Written application"]

[[services]]
code = "MZ-02"
department = "MZ"
name = "民办非企业单位审批"
name_en = "Approval of private non-enterprise units"
prefix = "B"
minutes = 15

[[windows]]
number = 5
name = "5号窗口"
name_en = "Window 5"
services = ["MZ-01", "MZ-02"]

[[windows]]
number = 7
services = ["MZ-02"]

[[staff]]
id = "c001"
name = "张敏"
windows = [5]
"""


def edit(old: str, new: str, text: str = MINIMAL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def error(text: str) -> str:
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(text, "hall.toml")
    message = str(info.value)
    assert message.startswith("hall.toml: ")
    assert "\n" not in message
    return message


def test_minimal_is_valid() -> None:
    hall = parse_catalogue(MINIMAL, "hall.toml")
    assert [s.code for s in hall.services] == ["MZ-01", "MZ-02"]
    assert hall.policy.max_wait_minutes == 45


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            edit("minutes = 15\n[services.guide]", "minutes = 0\n[services.guide]"),
            "hall.toml: services[1] (MZ-01): field 'minutes' must be a positive integer, not 0",
            id="minutes-zero",
        ),
        pytest.param(
            edit("minutes = 15\n[services.guide]", 'minutes = "15"\n[services.guide]'),
            "hall.toml: services[1] (MZ-01): field 'minutes' must be a positive integer, not string '15'",
            id="minutes-string",
        ),
        pytest.param(
            edit("minutes = 15\n[services.guide]", "minutes = true\n[services.guide]"),
            "hall.toml: services[1] (MZ-01): field 'minutes' must be a positive integer, not boolean true",
            id="minutes-bool",
        ),
        pytest.param(
            edit('name = "社团审批"\n', ""),
            "hall.toml: services[1] (MZ-01): missing required field 'name'",
            id="missing-service-name",
        ),
        pytest.param(
            edit('code = "MZ-02"', 'code = "MZ-01"'),
            "hall.toml: services[2] (MZ-01): field 'code': service code 'MZ-01' is already used by services[1]",
            id="duplicate-service",
        ),
        pytest.param(
            edit('department = "MZ"\nname = "社团审批"', 'department = "XX"\nname = "社团审批"'),
            "hall.toml: services[1] (MZ-01): field 'department' names unknown department 'XX'",
            id="unknown-department",
        ),
        pytest.param(
            edit('services = ["MZ-02"]', 'services = ["XX-01"]'),
            "hall.toml: windows[2] (number 7): field 'services' names unknown service 'XX-01'",
            id="unknown-service-in-window",
        ),
        pytest.param(
            edit('services = ["MZ-02"]', "services = []"),
            "hall.toml: windows[2] (number 7): field 'services' must be a non-empty array of service codes, not array []",
            id="empty-window",
        ),
        pytest.param(
            edit("number = 7", "number = 5"),
            "hall.toml: windows[2] (number 5): field 'number': window number 5 is already used by windows[1]",
            id="duplicate-window",
        ),
        pytest.param(
            edit('prefix = "A"', 'prefix = "a"'),
            "hall.toml: departments[1] (MZ): field 'prefix' must be one uppercase letter A-Z, not string 'a'",
            id="bad-department-prefix",
        ),
        pytest.param(
            edit('prefix = "B"', 'prefix = "BB"'),
            "hall.toml: services[2] (MZ-02): field 'prefix' must be one uppercase letter A-Z, not string 'BB'",
            id="bad-service-prefix",
        ),
        pytest.param(
            edit('name_en = "Test hall"', 'name_en = "Test hall"\ntimezone = "Mars/Base"'),
            "hall.toml: [hall]: field 'timezone' is not a known time zone: 'Mars/Base'",
            id="bad-timezone",
        ),
        pytest.param(
            edit("minutes = 15\n[services.guide]", "minute = 15\nminutes = 15\n[services.guide]"),
            "hall.toml: services[1] (MZ-01): unknown field 'minute' (did you mean 'minutes'?)",
            id="unknown-service-key",
        ),
        pytest.param(
            edit('materials = ["申请书"]', 'material = ["申请书"]'),
            "hall.toml: services[1] (MZ-01): unknown field 'guide.material' (did you mean 'guide.materials'?)",
            id="unknown-guide-key",
        ),
        pytest.param(
            edit('materials = ["申请书"]', 'materials = "申请书"'),
            "hall.toml: services[1] (MZ-01): field 'guide.materials' must be an array of strings, not string '申请书'",
            id="guide-materials-string",
        ),
        pytest.param(
            edit("[[windows]]\nnumber = 5", "[[window]]\nnumber = 5"),
            "hall.toml: unknown top-level field 'window' (did you mean 'windows'?)",
            id="unknown-top-level",
        ),
        pytest.param(
            edit('id = "c001"', 'id = "c001"\nname = "李娜"\n[[staff]]\nid = "c001"'),
            "hall.toml: staff[2] (c001): field 'id': staff id 'c001' is already used by staff[1]",
            id="duplicate-staff",
        ),
        pytest.param(
            edit('id = "c001"', 'id = ""'),
            "hall.toml: staff[1]: field 'id' must be a non-empty string without spaces, not string ''",
            id="empty-staff-id",
        ),
        pytest.param(
            edit("windows = [5]", "windows = [9]"),
            "hall.toml: staff[1] (c001): field 'windows' names unknown window 9",
            id="unknown-staff-window",
        ),
        pytest.param(
            edit(
                'prefix = "A"\n',
                'prefix = "A"\n\n[[departments]]\ncode = "MZ"\nname = "x"\nname_en = "x"\nprefix = "C"\n',
            ),
            "hall.toml: departments[2] (MZ): field 'code': department code 'MZ' is already used by departments[1]",
            id="duplicate-department",
        ),
        pytest.param(
            edit("[[departments]]", "[policy]\nmax_wait_minutes = 0\n\n[[departments]]"),
            "hall.toml: [policy]: field 'max_wait_minutes' must be a positive integer, not 0",
            id="policy-max-wait",
        ),
        pytest.param(
            edit("[[departments]]", "[policy]\npriority_run = -1\n\n[[departments]]"),
            "hall.toml: [policy]: field 'priority_run' must be a positive integer, not -1",
            id="policy-priority-run",
        ),
        pytest.param(
            edit('id = "t"\n', ""),
            "hall.toml: [hall]: missing required field 'id'",
            id="missing-hall-id",
        ),
    ],
)
def test_validation_error_names_file_entry_and_field(text: str, expected: str) -> None:
    assert error(text) == expected


def test_bad_toml_gives_the_line() -> None:
    text = edit('name_en = "Test hall"', 'name_en = "Test hall\nnext = 1')
    message = error(text)
    assert message.startswith("hall.toml: invalid TOML: ")
    assert "line 4" in message


def test_missing_sections() -> None:
    no_windows = MINIMAL[: MINIMAL.index("[[windows]]")]
    assert error(no_windows) == "hall.toml: missing required array of tables [[windows]]"
    no_hall = MINIMAL[MINIMAL.index("[[departments]]") :]
    assert error(no_hall) == "hall.toml: missing required table [hall]"


def test_entry_must_be_a_table() -> None:
    start, end = MINIMAL.index("[[departments]]"), MINIMAL.index("[[services]]")
    text = 'departments = ["MZ"]\n' + MINIMAL[:start] + MINIMAL[end:]
    assert error(text) == "hall.toml: departments[1]: must be a table, not string 'MZ'"


def test_key_in_the_wrong_table_is_an_unknown_field() -> None:
    text = edit('name_en = "Test hall"', 'name_en = "Test hall"\nmax_wait_minutes = 30')
    assert error(text) == (
        "hall.toml: [hall]: unknown field 'max_wait_minutes' (known fields: id, name, name_en, timezone, cutoff_minutes, hours, fee_service)"
    )


def test_staff_is_optional() -> None:
    text = MINIMAL[: MINIMAL.index("[[staff]]")]
    assert parse_catalogue(text, "hall.toml").staff == ()


# --- bundles and fees (一门受理, 一口收费) ------------------------------------------------

BUNDLE_HALL = """
[hall]
id = "b"
name = "测试大厅"
name_en = "Test hall"
fee_service = "SF-01"

[[departments]]
code = "MZ"
name = "民政局"
name_en = "Civil Affairs"
prefix = "A"

[[services]]
code = "MZ-01"
department = "MZ"
name = "一"
name_en = "One"
minutes = 5
fee_amount = 20

[[services]]
code = "MZ-02"
department = "MZ"
name = "二"
name_en = "Two"
minutes = 5

[[services]]
code = "SF-01"
department = "MZ"
name = "收费"
name_en = "Fees"
minutes = 2

[[windows]]
number = 1
services = ["MZ-01", "MZ-02", "SF-01"]
"""


def test_a_bundle_step_of_one_code_in_a_list_is_that_service() -> None:
    text = (
        BUNDLE_HALL
        + '\n[[bundles]]\ncode = "B1"\nname = "套餐"\nname_en = "B"\nsteps = [["MZ-01"], "MZ-02"]\n'
    )
    b = parse_catalogue(text, "hall.toml").bundle("B1")
    assert b is not None and b.steps == (("MZ-01",), ("MZ-02",))  # the wire form reads back


def test_bundles_and_fees_load() -> None:
    text = (
        BUNDLE_HALL
        + """
[[bundles]]
code = "B1"
name = "套餐"
name_en = "Bundle"
steps = ["MZ-01", ["MZ-02", "MZ-03"]]
"""
    )
    text = text.replace(
        "[[windows]]",
        '[[services]]\ncode = "MZ-03"\ndepartment = "MZ"\n'
        'name = "三"\nname_en = "Three"\nminutes = 5\n\n[[windows]]',
    )
    hall = parse_catalogue(text, "hall.toml")
    assert hall.fee_service == "SF-01"
    b = hall.bundle("B1")
    assert b is not None and b.steps == (("MZ-01",), ("MZ-02", "MZ-03"))
    assert b.services() == ("MZ-01", "MZ-02", "MZ-03")
    svc = hall.service("MZ-01")
    assert svc is not None and svc.fee_amount == 20.0
    wire = hall.to_wire()
    assert wire["bundles"] == [
        {
            "code": "B1",
            "name": "套餐",
            "name_en": "Bundle",
            "steps": [["MZ-01"], ["MZ-02", "MZ-03"]],
        }
    ]
    assert wire["fee_service"] == "SF-01"
    assert wire["services"][0]["fee_amount"] == 20.0
    assert "fee_amount" not in wire["services"][1]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ('["MZ-01", "MZ-01"]', "field 'steps' names a service twice"),
        ('["XX-01"]', "field 'steps' names unknown service 'XX-01'"),
        ('["SF-01"]', "field 'steps': 'SF-01' is the fee service (added by itself)"),
        ("[[]]", "field 'steps': entry 1 must be a service code or a non-empty list of codes"),
        ("[]", "field 'steps' must be a non-empty array"),
    ],
)
def test_bad_bundles(steps: str, message: str) -> None:
    text = BUNDLE_HALL + f'\n[[bundles]]\ncode = "B1"\nname = "套餐"\nsteps = {steps}\n'
    assert message in error(text)


def test_bundle_of_more_than_five_services() -> None:
    extra = "".join(
        f'[[services]]\ncode = "X-0{i}"\ndepartment = "MZ"\nname = "x"\nname_en = "x"\nminutes = 1\n\n'
        for i in range(1, 6)
    )
    text = BUNDLE_HALL.replace("[[windows]]", extra + "[[windows]]")
    text += '\n[[bundles]]\ncode = "B1"\nname = "套餐"\nsteps = ["MZ-01", "X-01", "X-02", "X-03", "X-04", "X-05"]\n'
    assert "holds 6 services: at most 5 in one visit" in error(text)


def test_fee_service_must_exist_and_be_served() -> None:
    assert "field 'fee_service' names unknown service 'SF-09'" in error(
        BUNDLE_HALL.replace('fee_service = "SF-01"', 'fee_service = "SF-09"')
    )
    unserved = BUNDLE_HALL.replace('"MZ-02", "SF-01"]', '"MZ-02"]')
    assert "field 'fee_service': no window serves 'SF-01'" in error(unserved)
    assert "field 'fee_amount' must be a number >= 0 (yuan)" in error(
        BUNDLE_HALL.replace("fee_amount = 20", "fee_amount = -1")
    )


def test_demo_bundles(demo: Hall) -> None:
    assert demo.fee_service == "ZW-80"
    parallel = [b for b in demo.bundles if any(len(step) >= 2 for step in b.steps)]
    assert parallel
    services = [demo.service(code) for b in demo.bundles for code in b.services()]
    assert any(s is not None and s.fee_amount for s in services)  # so a fee step appears
