"""An API gateway configured in Kong's declarative format (kong.yml).

The same file runs on real Kong (Docker backend) and on the embedded Kong-compatible
gateway here (local backend, offline images, grading). Modules: `source` (YAML with line
numbers), `schema`/`entities`/`validation` (Kong's checks, every problem at once),
`model`/`router` (the runtime), `plugins/*`, `proxy`/`admin`/`app` (the servers),
`api` (what `lab.gateway` offers). How each backend runs it: `microlab.kinds.gateway`.
"""
from microlab.gateway.validation import Report, validate

__all__ = ["Report", "validate"]
