"""The Docker backend: the same topology as real containers, driven by the Docker SDK.

Modules: `naming` (labels and names: the only state), `engine` (a client or a clear
error), `images` (which image set, built or pulled with progress), `offline` (images
made without a registry), `specs` (one container spec per component kind), `backend`
(the lifecycle), `sweep`, `compose`, `doctor`.
"""
