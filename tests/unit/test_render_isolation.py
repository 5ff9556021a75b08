"""Round 2 of the hostile corpus: what one render could do to another render, to the worker, or
to what is reported about it, when several renders share a fork-server and a uid.

Each test reproduces an attack that worked before the result channel moved out of the
fork-server and the supervisor became the authority on results, and checks its concrete effect
did not happen (nothing read, nothing forged, nobody slowed) and that the worker goes on.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from sciray.config.models import RenderConfig
from sciray.render.backends import PythonRenderer

BENIGN = "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.title('ok')\n"

# Writes a frame of our choosing to the result pipe (found among the open descriptors) and
# leaves before the real result is written.
FORGE = """
import json, os, stat, struct
def frame(header, blob=b""):
    head = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack(">I", len(head)) + head + struct.pack(">I", len(blob)) + blob
def forge(data):
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, data)
        except OSError:
            pass
    os._exit(0)
"""


def _big_png(width: int, height: int) -> str:
    """Code that builds a real, valid PNG of width x height (1-bit, tiny on disk) in ``PNG``."""
    return f"""
import zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
row = b"\\0" + b"\\0" * (({width} + 7) // 8)
PNG = (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", {width}, {height}, 1, 0, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(row * {height}, 9)) + chunk(b"IEND", b""))
"""


@pytest.fixture(scope="module")
def cfg():
    return RenderConfig(
        timeout_s=10,
        cpu_s=8,
        memory_mb=2048,
        scratch_mb=4,
        max_files=200,
        max_output_kb=16,
        allowed_imports=["*"],
    )


@pytest.fixture(scope="module")
def renderer(cfg):
    with PythonRenderer(cfg, workers=1) as r:
        yield r


@pytest.fixture(scope="module")
def pair(cfg):
    with PythonRenderer(cfg, workers=2) as r:
        yield r


def _server_pids(renderer) -> list[int]:
    return [server.proc.pid for server in renderer.pool._servers]


def _assert_worker_fine(renderer, pids_before: list[int]) -> None:
    after = renderer.render(BENIGN)
    assert after.status == "ok", after.error
    assert after.png.startswith(b"\x89PNG")
    assert _server_pids(renderer) == pids_before, "a fork-server died"


# 1. Cross-render data theft ---------------------------------------------------------------

VICTIM = "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.title('VICTIM' + '-TITLE-7f3a')\nprint('VICTIM' + '-STDOUT-7f3a')\n"

THIEF = """
import gc, sys
needles = ["-".join(["VICTIM", "TITLE"]), "-".join(["VICTIM", "STDOUT"])]  # built at run time: no constant to find
mine = globals()
hits = []
def scan(value, where, depth=0):
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("latin-1")
    if isinstance(value, str):
        if any(n in value for n in needles):
            hits.append(where)
    elif depth < 4 and isinstance(value, dict) and value is not mine:
        for k, v in list(value.items()):
            scan(v, where + "." + str(k), depth + 1)
    elif depth < 4 and isinstance(value, (list, tuple)):
        for v in list(value)[:2000]:
            scan(v, where + "[]", depth + 1)
frame = sys._getframe().f_back
while frame is not None:  # up the stack into the fork-server's own frames
    if frame.f_globals is not mine:
        scan(dict(frame.f_locals), "frame:" + frame.f_code.co_name)
    frame = frame.f_back
try:
    raise ValueError
except ValueError as exc:  # the same walk without sys
    tb_frame = exc.__traceback__.tb_frame
    while tb_frame is not None:
        if tb_frame.f_globals is not mine:
            scan(dict(tb_frame.f_locals), "tb:" + tb_frame.f_code.co_name)
        tb_frame = tb_frame.f_back
for obj in gc.get_objects():  # everything the server process still holds
    if isinstance(obj, (dict, list, tuple)) and not any(obj is own for own in (mine, hits, needles)):
        scan(obj, "gc:" + type(obj).__name__, 3)
print("HITS", sorted(set(hits))[:10])
import matplotlib.pyplot as plt
plt.plot([0, 1])
"""


def test_a_render_cannot_read_the_previous_renders_result(renderer):
    pids = _server_pids(renderer)
    victim = renderer.render(VICTIM)
    assert victim.status == "ok" and "VICTIM-STDOUT-7f3a" in victim.stdout
    assert any(t.text == "VICTIM-TITLE-7f3a" for t in victim.scene.texts)
    thief = renderer.render(THIEF)
    assert thief.status == "ok", thief.error
    assert "HITS []" in thief.stdout, thief.stdout
    _assert_worker_fine(renderer, pids)


# 2. Forged results ------------------------------------------------------------------------

FORGERIES = {
    "ok_without_png": 'forge(frame({"status": "ok", "timings": {}}))',
    "ok_with_bytes_that_are_not_png": 'forge(frame({"status": "ok", "timings": {}}, b"GIF89a not a png at all"))',
    "ok_with_a_20000x20000_png": _big_png(20000, 20000)
    + 'forge(frame({"status": "ok", "timings": {}}, PNG))',
    "own_sandbox_list": 'forge(frame({"status": "error", "error": "x", "sandbox": ["forged"], "timings": {}}))',
    "scene_of_another_image": (
        _big_png(10, 10) + 'forge(frame({"status": "ok", "timings": {}, "scene": '
        '{"texts": [{"text": "m = 2 kg", "bbox": [1, 1, 50, 9]}], "size": [600, 450]}}, PNG))'
    ),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_a_forged_result_is_the_renders_violation(name, renderer):
    pids = _server_pids(renderer)
    result = renderer.render(FORGE + FORGERIES[name])
    assert result.status in ("violation", "error"), (result.status, result.error)
    assert result.png is None
    assert result.sandbox == renderer.sandbox and "forged" not in result.sandbox
    assert result.scene is None
    _assert_worker_fine(renderer, pids)


def test_a_forged_ok_png_over_the_pixel_cap_never_reaches_the_caller(renderer):
    result = renderer.render(FORGE + FORGERIES["ok_with_a_20000x20000_png"])
    assert result.status == "violation"
    assert "20000x20000" in result.error and "cap" in result.error


# 3. One bad frame never fails the batch --------------------------------------------------

BAD_FRAMES = {
    "wrong_types": 'forge(frame({"status": "ok", "timings": [1, 2, 3]}))',
    "unknown_status": 'forge(frame({"status": "pwned", "timings": {}}))',
    "nested_200k_deep": 'forge(frame(b"[" * 200000 + b"]" * 200000))',
    "not_json": 'forge(frame(b"\\xff\\xfe{{{"))',
    "truncated": 'forge(struct.pack(">I", 1000) + b"{}")',
    "header_not_an_object": 'forge(frame(b"[1, 2]"))',
    "infinite_timing": 'forge(frame(b\'{"status": "error", "timings": {"exec_ms": Infinity}}\'))',
    "huge_error_text": 'forge(frame({"status": "error", "error": "e" * 100000, "timings": {}}))',
    "bytes_after_the_payload": 'forge(frame({"status": "error", "timings": {}}) + b"trailing")',
}


def test_malformed_frames_are_violations_and_the_batch_goes_on(renderer):
    pids = _server_pids(renderer)
    names = sorted(BAD_FRAMES)
    results = renderer.render_many([BENIGN] + [FORGE + BAD_FRAMES[n] for n in names] + [BENIGN])
    assert results[0].status == "ok" and results[-1].status == "ok"
    for name, result in zip(names, results[1:-1]):
        assert result.status == "violation", (name, result.status, result.error)
        assert "malformed render result" in result.error, (name, result.error)
        assert result.png is None
    _assert_worker_fine(renderer, pids)


# 4. System V and POSIX IPC ----------------------------------------------------------------

IPC_KEY = 0x5C1EA7


def _sysv_keys(kind: str) -> set[int]:
    with open(f"/proc/sysvipc/{kind}") as f:
        next(f)
        return {int(line.split()[0]) for line in f if line.strip()}


def test_sysv_ipc_objects_cannot_be_made_or_reached(renderer):
    code = f"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
made = []
shm = libc.shmget({IPC_KEY}, 64 << 20, 0o1666)
if shm >= 0:
    made.append("shm")
msq = libc.msgget({IPC_KEY}, 0o1666)
if msq >= 0:
    made.append("msg")
sem = libc.semget({IPC_KEY}, 1, 0o1666)
if sem >= 0:
    made.append("sem")
mq = ctypes.CDLL("librt.so.1", use_errno=True).mq_open(b"/sciray-leak", 0o100 | 0o2, 0o666, None)
if mq >= 0:
    made.append("mq")
print("MADE", made)
import matplotlib.pyplot as plt
plt.plot([0, 1])
"""
    before = {kind: _sysv_keys(kind) for kind in ("shm", "msg", "sem")}
    result = renderer.render(code)
    assert result.status == "ok", result.error
    assert "MADE []" in result.stdout, result.stdout
    for kind in ("shm", "msg", "sem"):
        assert IPC_KEY not in _sysv_keys(kind) - before[kind], (
            f"a {kind} object outlived the render"
        )
    assert not os.path.exists("/dev/mqueue/sciray-leak")


# 5 and 6. Priorities and scheduling of siblings and of the fork-server ----------------------

SLEEPER = """
import os, time
time.sleep(2.5)
print("STATE", os.getpriority(os.PRIO_PROCESS, os.getpid()), os.sched_getscheduler(os.getpid()),
      len(os.sched_getaffinity(os.getpid())))
import matplotlib.pyplot as plt
plt.plot([0, 1])
"""

SABOTEUR = """
import os
done = {{"nice": 0, "idle": 0, "affinity": 0}}
for pid in [{server}] + list(range({server} + 1, {server} + 4000)):
    try:
        os.setpriority(os.PRIO_PROCESS, pid, 19)
        done["nice"] += 1
    except OSError:
        pass
    try:
        os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
        done["idle"] += 1
    except OSError:
        pass
    try:
        os.sched_setaffinity(pid, {{0}})
        done["affinity"] += 1
    except OSError:
        pass
print("DONE", done)
import matplotlib.pyplot as plt
plt.plot([0, 1])
"""


def _state(pid: int) -> tuple[int, int, int]:
    return (
        os.getpriority(os.PRIO_PROCESS, pid),
        os.sched_getscheduler(pid),
        len(os.sched_getaffinity(pid)),
    )


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="affinity needs two CPUs to show")
def test_a_render_cannot_slow_a_sibling_render_or_the_fork_servers(pair):
    servers = _server_pids(pair)
    baseline = [_state(pid) for pid in servers]
    results: dict[str, object] = {}

    def sleeper() -> None:
        results["sleeper"] = pair.render(SLEEPER)

    thread = threading.Thread(target=sleeper)
    thread.start()
    time.sleep(0.8)  # the sleeper's child is running on one server; attack every pid after both
    saboteur = pair.render(SABOTEUR.format(server=min(servers)))
    thread.join(30)
    assert saboteur.status == "ok", saboteur.error
    assert (
        "DONE {'nice': 1, 'idle': 1, 'affinity': 1}" in saboteur.stdout
        or "DONE {'nice': 0, 'idle': 0, 'affinity': 0}" in saboteur.stdout
    ), saboteur.stdout
    sleeper_result = results["sleeper"]
    assert sleeper_result.status == "ok", sleeper_result.error
    expected = baseline[0]
    assert f"STATE {expected[0]} {expected[1]} {expected[2]}" in sleeper_result.stdout, (
        sleeper_result.stdout
    )
    assert [_state(pid) for pid in servers] == baseline, (
        "a render changed a fork-server's scheduling"
    )


def test_a_render_cannot_renice_every_process_of_its_user(renderer):
    before = os.getpriority(os.PRIO_PROCESS, 0)
    result = renderer.render("import os\nos.setpriority(os.PRIO_USER, os.getuid(), 19)\n" + BENIGN)
    assert result.status == "violation", (result.status, result.error)
    assert os.getpriority(os.PRIO_PROCESS, 0) == before
    assert os.getpriority(os.PRIO_PROCESS, _server_pids(renderer)[0]) == before


def test_no_unreadable_folder_survives_a_render(renderer):
    server = renderer.pool._servers[0]
    code = (
        "import os\nos.makedirs('a/b')\nopen('a/b/f', 'w').write('x')\n"
        "for path, mode in (('a/b', 0), ('a', 0o300)):\n"
        "    try:\n        os.chmod(path, mode)\n    except PermissionError:\n        pass\n"
        "for name, mode in (('c', 0), ('d', 0o300)):\n"
        "    try:\n        os.mkdir(name, mode)\n    except PermissionError:\n        pass\n"
        "print(sorted(os.listdir('.')), oct(os.stat('a').st_mode & 0o777))\n" + BENIGN
    )
    result = renderer.render(code)
    assert result.status == "ok", result.error
    assert result.stdout.split()[-1] == "0o700", result.stdout  # chmod was refused
    assert (
        "'c'" not in result.stdout and "'d'" not in result.stdout
    )  # so was mkdir without owner rights
    assert os.listdir(server.scratch_root) == [], "a scratch folder survived its render"


# 7. Allowed modules are importable whatever the render's identity may read ---------------


def test_allowed_stdlib_modules_are_preloaded_for_the_render():
    cfg = RenderConfig(timeout_s=10)  # the default allow-list
    probe = (
        "import sys\nwanted = ('colorsys', 'statistics', 'cmath', 'fractions', 'decimal')\n"
        "print('PRELOADED', [m for m in wanted if m in sys.modules])\n"
        "import colorsys, statistics, cmath\n" + BENIGN
    )
    with PythonRenderer(cfg, workers=1) as r:
        result = r.render(probe)
    assert result.status == "ok", result.error
    assert "PRELOADED ['colorsys', 'statistics', 'cmath', 'fractions', 'decimal']" in result.stdout


# The renderer draws what Matplotlib would ---------------------------------------------------

TIGHT = """
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(5, 3), dpi=120)
ax.plot([0, 1], [0, 1])
ax.text(1.3, 0.5, "m = 2 kg", transform=ax.transAxes)
fig.savefig("diagram.png", bbox_inches="tight", pad_inches=0.2)
"""


def test_tight_box_and_program_dpi_are_honoured(renderer, tmp_path):
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    result = renderer.render(TIGHT)
    assert result.status == "ok", result.error
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(TIGHT, "<plain>", "exec"), {})  # plain Matplotlib, same program
        plt.close("all")
    finally:
        os.chdir(cwd)
    with Image.open(tmp_path / "diagram.png") as plain, Image.open(io.BytesIO(result.png)) as ours:
        assert ours.size == plain.size
    label = next(t for t in result.scene.texts if t.text == "m = 2 kg")
    index = result.scene.texts.index(label)
    assert index not in result.scene.outside
    width, height = result.scene.size
    assert (
        0 <= label.bbox[0] < label.bbox[2] <= width and 0 <= label.bbox[1] < label.bbox[3] <= height
    )
    # the label's pixels are really in the image, where the scene says
    with Image.open(io.BytesIO(result.png)) as image:
        crop = image.convert("L").crop(tuple(int(v) for v in label.bbox))
        assert crop.getextrema()[0] < 128


def test_a_program_without_savefig_keeps_render_dpi_and_a_huge_dpi_hits_the_pixel_cap(renderer):
    plain = renderer.render(BENIGN)
    assert plain.scene.size == [640, 480]  # Matplotlib's 6.4 x 4.8 in at render.dpi=100
    huge = renderer.render(
        "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.savefig('x.png', dpi=2000)\n"
    )
    assert huge.status == "limit", (huge.status, huge.error)
