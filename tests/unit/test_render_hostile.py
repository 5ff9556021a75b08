"""The hostile corpus: each snippet tries one escape; the test checks the effect did not happen
and the worker still renders the next benign diagram.

The corpus runs with ``allowed_imports=["*"]`` so it tests the OS layers (Landlock, seccomp,
rlimits, quotas), not the Python import guard, which has its own tests.
"""

from __future__ import annotations

import os
import socket
import threading

import pytest

from sciray.config.models import RenderConfig
from sciray.render.backends import PythonRenderer

BENIGN = "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.title('ok')\n"
SECRET_ENV = "SCIRAY_TEST_SECRET_TOKEN"
SECRET_VALUE = "s3cr3t-value-4f1d"


class Listener:
    """A TCP and a UDP socket on 127.0.0.1 that record whatever reaches them."""

    def __init__(self):
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen()
        self.tcp.settimeout(0.2)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.2)
        self.hits: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
                self.hits.append("tcp")
                conn.close()
            except OSError:
                pass
            try:
                self.udp.recvfrom(65536)
                self.hits.append("udp")
            except OSError:
                pass

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.tcp.close()
        self.udp.close()


@pytest.fixture(scope="module")
def renderer():
    os.environ[SECRET_ENV] = SECRET_VALUE  # the worker's environment holds a secret
    cfg = RenderConfig(
        timeout_s=5,
        cpu_s=3,
        memory_mb=2048,
        scratch_mb=4,
        max_files=200,
        max_output_kb=16,
        allowed_imports=["*"],
    )
    try:
        with PythonRenderer(cfg, workers=1) as r:
            yield r
    finally:
        os.environ.pop(SECRET_ENV, None)


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture
def paths(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    return {
        "SECRET": str(secret),
        "VICTIM": str(victim),
        "OUT": str(tmp_path / "written-by-render.txt"),
    }


def _prelude(paths: dict, listener: Listener) -> str:
    values = {
        **paths,
        "TCP_PORT": listener.tcp.getsockname()[1],
        "UDP_PORT": listener.udp.getsockname()[1],
    }
    return "".join(f"{k} = {v!r}\n" for k, v in values.items())


# name -> (code, expected statuses)
CORPUS = {
    "read_secret_file": ("print(open(SECRET).read())", {"violation"}),
    "read_etc_passwd": ("print(open('/etc/passwd').read())", {"violation"}),
    "list_home": ("import os\nprint(os.listdir('/root'))", {"violation"}),
    "write_outside_scratch": ("open(OUT, 'w').write('x')", {"violation"}),
    "delete_file": ("import os\nos.remove(VICTIM)", {"violation"}),
    "rename_file": ("import os\nos.rename(VICTIM, OUT)", {"violation"}),
    "chmod_file": ("import os\nos.chmod(VICTIM, 0o777)", {"violation", "ok", "error"}),
    "symlink_trick": (
        "import os\nos.symlink(SECRET, 'link')\nprint(open('link').read())",
        {"violation"},
    ),
    "hardlink_trick": (
        "import os\nos.link(SECRET, 'hard')\nprint(open('hard').read())",
        {"violation"},
    ),
    "os_system": ("import os\nrc = os.system('touch ' + OUT)\nassert rc == 0, rc", {"error"}),
    "subprocess": (
        "import subprocess\nsubprocess.run(['touch', OUT], check=True)",
        {"violation", "error"},
    ),
    "fork_bomb": ("import os\nwhile True:\n    os.fork()", {"violation"}),
    "multiprocessing": (
        "import multiprocessing as mp\np = mp.Process(target=lambda: open(OUT, 'w'))\np.start(); p.join()",
        {"violation", "error"},
    ),
    "ctypes_system": (
        "import ctypes\nrc = ctypes.CDLL(None).system(('touch ' + OUT).encode())\nassert rc == 0, rc",
        {"error"},
    ),
    "ctypes_raw_socket": (
        "import ctypes\nfd = ctypes.CDLL(None).socket(2, 1, 0)\nassert fd >= 0, fd",
        {"error"},
    ),
    "pickle_trick": (
        "import pickle, os\nclass P:\n    def __reduce__(self):\n        return (os.system, ('touch ' + OUT,))\nrc = pickle.loads(pickle.dumps(P()))\nassert rc == 0, rc",
        {"error"},
    ),
    "marshal_code_object": (
        "import marshal, types\ncode = compile('import os\\nassert os.system(\"touch \" + OUT) == 0', 'x', 'exec')\nexec(marshal.loads(marshal.dumps(code)), {'OUT': OUT})",
        {"error"},
    ),
    "tcp_connect": (
        "import socket\nsocket.create_connection(('127.0.0.1', TCP_PORT), timeout=1)",
        {"violation"},
    ),
    "urllib": (
        "import urllib.request\nurllib.request.urlopen(f'http://127.0.0.1:{TCP_PORT}/', timeout=1)",
        {"violation", "error"},
    ),
    "dns_lookup": (
        "import socket\nprint(socket.getaddrinfo('example.com', 80))",
        {"violation", "error"},
    ),
    "udp_send": (
        "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.sendto(b'x', ('127.0.0.1', UDP_PORT))",
        {"violation"},
    ),
    "infinite_loop": ("while True:\n    pass", {"timeout"}),
    "sleep_forever": ("import time\ntime.sleep(3600)", {"timeout"}),
    "memory_bomb": ("x = bytearray(64 << 30)", {"limit"}),
    "memory_creep": (
        "chunks = []\nwhile True:\n    chunks.append(bytearray(64 << 20))",
        {"limit", "timeout"},
    ),
    "raise_rlimit": (
        "import resource\nresource.setrlimit(resource.RLIMIT_CPU, (10**6, 10**6))",
        {"violation", "error"},
    ),
    "pixel_bomb": (
        "import matplotlib.pyplot as plt\nfig = plt.figure(figsize=(2000, 2000))\nfig.savefig('big.png')",
        {"limit"},
    ),
    "disk_fill_one_file": (
        "with open('fill.bin', 'wb') as f:\n    while True:\n        f.write(b'x' * (1 << 20))",
        {"limit"},
    ),
    "disk_fill_many_files": (
        "i = 0\nwhile True:\n    open(f'f{i}', 'w').write('x' * 1000)\n    i += 1",
        {"limit"},
    ),
    "stdout_flood": (
        "import sys\nfor _ in range(10**6):\n    print('x' * 1000)\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])",
        {"ok", "timeout"},
    ),
    "os_exit": ("import os\nos._exit(0)", {"error"}),
    "atexit_hook": (
        "import atexit\natexit.register(lambda: open(OUT, 'w').write('x'))\nraise SystemExit",
        {"error"},
    ),
    "kill_parent": ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)", {"violation"}),
    "kill_process_group": ("import os, signal\nos.killpg(0, signal.SIGKILL)", {"violation"}),
    "kill_everyone": ("import os, signal\nos.kill(-1, signal.SIGKILL)", {"violation"}),
    "proc_of_parent": (
        "import os\nprint(open(f'/proc/{os.getppid()}/environ').read())",
        {"violation"},
    ),
    "read_environment": ("import os\nprint(dict(os.environ))", {"error"}),
    "ptrace_parent": (
        "import ctypes, os\nrc = ctypes.CDLL(None).ptrace(16, os.getppid(), 0, 0)\nassert rc == 0, rc",
        {"error"},
    ),
    "leave_thread_behind": (
        "import threading, time\ndef later():\n    time.sleep(1)\n    open(OUT, 'w').write('x')\nthreading.Thread(target=later).start()\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])",
        {"ok", "violation", "error"},
    ),
    "monkeypatch_savefig": (
        "import matplotlib.figure\nmatplotlib.figure.Figure.savefig = lambda *a, **k: open(OUT, 'w')\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])",
        {"violation", "error"},
    ),
    "sysv_message_queue": (
        "import ctypes\nassert ctypes.CDLL(None).msgget(0, 0o1600) >= 0",
        {"error"},
    ),
    "sysv_shared_memory": (
        "import ctypes\nassert ctypes.CDLL(None).shmget(0, 1 << 26, 0o1600) >= 0",
        {"error"},
    ),
    "renice_everyone": ("import os\nos.setpriority(os.PRIO_USER, os.getuid(), 19)", {"violation"}),
    "renice_the_server": (
        "import os\nos.setpriority(os.PRIO_PROCESS, os.getppid(), 19)",
        {"violation"},
    ),
    "idle_the_server": (
        "import os\nos.sched_setscheduler(os.getppid(), os.SCHED_IDLE, os.sched_param(0))",
        {"violation"},
    ),
    "pin_the_server": ("import os\nos.sched_setaffinity(os.getppid(), {0})", {"violation"}),
    "umask_everything": (
        "import os\nos.umask(0o777)\nos.mkdir('d')\nassert os.stat('d').st_mode & 0o700 == 0o700",
        {"violation", "error"},
    ),
    "unreadable_scratch_folder": ("import os\nos.mkdir('hide', 0o300)", {"violation"}),
    "poison_next_render": (
        "import matplotlib as mpl, builtins\nmpl.rcParams['lines.linewidth'] = 77\nbuiltins.print = None\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])",
        {"ok"},
    ),
}


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_snippet_is_contained(name, renderer, listener, paths):
    code, expected = CORPUS[name]
    hits_before = len(listener.hits)
    result = renderer.render(_prelude(paths, listener) + code)
    assert result.status in expected, (result.status, result.error)
    output = result.stdout + result.stderr + (result.error or "")
    assert "TOP-SECRET-CONTENT" not in output
    assert SECRET_VALUE not in output
    assert "root:x:0:0" not in output
    assert not os.path.exists(paths["OUT"]), "the render wrote outside its scratch folder"
    assert open(paths["VICTIM"]).read() == "keep me"
    assert len(listener.hits) == hits_before, "the render reached the network"
    assert (
        "landlock-fs" in result.sandbox
        and "seccomp" in result.sandbox
        or result.status in ("timeout", "limit")
    )
    # The worker survived and the next render is unaffected.
    after = renderer.render(
        "import matplotlib as mpl\nprint(mpl.rcParams['lines.linewidth'])\n" + BENIGN
    )
    assert after.status == "ok", after.error
    assert after.png and after.png.startswith(b"\x89PNG")
    assert after.stdout.strip() == "1.5"
    assert not os.path.exists(paths["OUT"])


def test_stdout_is_bounded(renderer):
    result = renderer.render("for _ in range(1000):\n    print('y' * 1000)\n" + BENIGN)
    assert result.status == "ok"
    assert len(result.stdout) < 16 * 1024 + 100 and "more characters dropped" in result.stdout


def test_leftover_thread_cannot_act_later(renderer, paths, listener):
    code = _prelude(paths, listener) + CORPUS["leave_thread_behind"][0]
    renderer.render(code)
    import time

    time.sleep(1.5)
    assert not os.path.exists(paths["OUT"])
