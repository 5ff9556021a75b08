"""SciRay: verified scientific diagram synthesis at cluster scale (SciGenBench / ImgCoder on Ray).

The core package (everything under ``sciray`` except ``sciray.actors``, ``sciray.serve`` and
``sciray.cluster``) never imports Ray, so it runs and is tested without a cluster.
"""

__version__ = "0.1.0"
