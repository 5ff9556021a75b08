"""Canned model answers for tests, benchmarks and the scripted engine (no test framework needed).

``GOOD_ANSWER`` is a complete ImgCoder answer (understanding, four-part plan, Matplotlib code) for
``INCLINE_QUESTION``: it renders and passes the checks (it labels "2 kg" and "30°" and not the
answer). ``BROKEN_ANSWER`` fails to render (NameError); ``NO_LABELS_ANSWER`` renders without any
of the given values.
"""

INCLINE_QUESTION = (
    "A block of mass 2 kg rests on a ramp inclined at 30 degrees. "
    "Find the normal force on the block."
)

GOOD_ANSWER = """## Understanding
A block on an incline.
## Plan
### Image content
The ramp and the block.
### Layout
Ramp from (0,0) to (4,2.3).
### Labels
2 kg, 30
### Drawing considerations
Do not show the normal force value.
## Code
```python
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(4, 3))
ax.plot([0, 4, 4, 0], [0, 0, 2.3, 0], color="k")
ax.text(2, 1.4, "2 kg")
ax.text(0.6, 0.1, "30°")
ax.set_xlim(-0.5, 4.5); ax.set_ylim(-0.5, 3)
ax.axis("off")
plt.savefig("diagram.png")
```
"""

BROKEN_ANSWER = (
    "```python\nimport matplotlib.pyplot as plt\nplt.plot([0, 1], [0, 1])\nundefined_name + 1\n```"
)

NO_LABELS_ANSWER = (
    "```python\nimport matplotlib.pyplot as plt\nplt.plot([0, 4, 4, 0], [0, 0, 2.3, 0])\n"
    "plt.axis('off')\n```"
)

BENIGN_CODE = "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.title('ok')\n"


def ray_listeners_beyond_loopback() -> tuple[int, list[tuple[str, int, int, str]]]:
    """Listening sockets of this machine's Ray processes (raylet, GCS, workers, Serve replicas):
    how many there are, and ``(ip, port, pid, process name)`` of those not on a loopback address."""
    import ipaddress

    import psutil

    def loopback(ip: str) -> bool:
        address = ipaddress.ip_address(ip)
        return (getattr(address, "ipv4_mapped", None) or address).is_loopback

    ray_pids = {}
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if any("ray" in part for part in cmdline[:2]):
            ray_pids[proc.pid] = (cmdline[0] if cmdline else proc.info["name"] or "")[:40]
    listening = [
        c
        for c in psutil.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.pid in ray_pids
    ]
    return len(listening), [
        (c.laddr.ip, c.laddr.port, c.pid, ray_pids[c.pid])
        for c in listening
        if not loopback(c.laddr.ip)
    ]
