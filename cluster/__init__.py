"""sciray.cluster: Ray start-up and runtime environments, the Ray Data pipelines, Ray Train wiring
and job entrypoints. Imports Ray; the core ``sciray`` package never imports this."""

import os as _os

# Ray reads these when it is first imported, so they are set as soon as sciray.cluster is:
# with RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER at its default, a local Ray 2.60 binds the machine's
# non-loopback address; usage stats would try to reach the network.
LOCAL_RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
for _key, _value in LOCAL_RAY_ENV.items():
    _os.environ.setdefault(_key, _value)
