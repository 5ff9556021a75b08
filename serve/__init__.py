"""sciray.serve: the Ray Serve application (FastAPI ingress and deployments), built by
``build_app(args)`` with nothing bound at import time. Ray Serve is imported as
``from ray import serve as ray_serve`` inside this package."""
