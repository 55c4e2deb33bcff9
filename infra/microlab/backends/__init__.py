"""Backends run the topology: `local` (processes on 127.0.0.1) and `docker` (containers)."""
